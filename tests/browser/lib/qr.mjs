// qr.mjs — what a certificate's QR code holds, read the way a phone would:
// its PNG (GET /api/v1/certificates/{id}/qr.png with the client's session)
// decoded by zbarimg.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export async function qrUrlOf(server, client, certificateId) {
	const png = await fetch(`${server.baseURL}/api/v1/certificates/${certificateId}/qr.png`, { headers: { Cookie: client.cookie } });
	if (png.status !== 200)
		throw new Error(`qr.png of certificate ${certificateId}: ${png.status}`);
	const file = path.join(server.dataDir, `qr-${certificateId}.png`);
	writeFileSync(file, Buffer.from(await png.arrayBuffer()));
	return execFileSync('zbarimg', ['--raw', '-q', file], { encoding: 'utf8' }).trim();
}
