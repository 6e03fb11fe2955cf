/* api_meta.h — endpoints about the service itself: liveness, readiness and
 * the OpenAPI document generated from the route table. */
#ifndef TCARD_API_META_H
#define TCARD_API_META_H

struct request;

int api_meta_healthz(struct request *req);
/* Prometheus text: requests and latency per route, connections, imports. */
int api_meta_metrics(struct request *req);
int api_meta_readyz(struct request *req);
int api_meta_openapi(struct request *req);

#endif
