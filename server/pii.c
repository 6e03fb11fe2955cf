/* pii.c — national-ID sealing and blind index (see pii.h). The keys live in
 * locked memory for the life of the process and are wiped at release. */
#include "pii.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PII_SEAL_VERSION 1
#define PII_CONTEXT      "tcardpii" /* crypto_kdf context: exactly 8 bytes */
#define PII_AD           "tcard:national_id:v1"

struct pii_keys {
	unsigned char seal[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	unsigned char index[crypto_generichash_KEYBYTES];
};

static struct pii_keys *pii_keys;

static int pii_read_or_create(const char *path, unsigned char master[crypto_kdf_KEYBYTES],
                              struct err *err)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 && errno == ENOENT) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0)
			return err_set(err, "cannot create the key file %s: %s", path,
			               strerror(errno));
		crypto_kdf_keygen(master);
		n = write(fd, master, crypto_kdf_KEYBYTES);
		if (n != crypto_kdf_KEYBYTES || fsync(fd) != 0) {
			(void)close(fd);
			(void)unlink(path);
			return err_set(err, "cannot write the key file %s", path);
		}
		return close(fd) == 0 ? 0 : err_set(err, "cannot write the key file %s", path);
	}
	if (fd < 0)
		return err_set(err, "cannot open the key file %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || (st.st_mode & 077) != 0) {
		(void)close(fd);
		return err_set(err,
		               "the key file %s must not be readable by group or others "
		               "(chmod 600)",
		               path);
	}
	n = read(fd, master, crypto_kdf_KEYBYTES);
	(void)close(fd);
	if (n != crypto_kdf_KEYBYTES)
		return err_set(err, "the key file %s is damaged (expected %d bytes)", path,
		               crypto_kdf_KEYBYTES);
	return 0;
}

int pii_init(const char *path, struct err *err)
{
	unsigned char master[crypto_kdf_KEYBYTES];
	int rc;

	if (pii_keys != NULL)
		return 0;
	rc = pii_read_or_create(path, master, err);
	if (rc == 0) {
		pii_keys = sodium_malloc(sizeof(*pii_keys));
		if (pii_keys == NULL)
			rc = err_set(err, "out of memory");
	}
	if (rc == 0) {
		(void)crypto_kdf_derive_from_key(pii_keys->seal, sizeof(pii_keys->seal), 1,
		                                 PII_CONTEXT, master);
		(void)crypto_kdf_derive_from_key(pii_keys->index, sizeof(pii_keys->index), 2,
		                                 PII_CONTEXT, master);
		(void)sodium_mprotect_readonly(pii_keys);
	}
	sodium_memzero(master, sizeof(master));
	return rc;
}

void pii_release(void)
{
	sodium_free(pii_keys); /* wipes */
	pii_keys = NULL;
}

void pii_seal_national_id(const char *national_id, unsigned char out[PII_SEALED_ID_BYTES])
{
	unsigned char *nonce = out + 1;

	out[0] = PII_SEAL_VERSION;
	randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	(void)crypto_aead_xchacha20poly1305_ietf_encrypt(
	        nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL,
	        (const unsigned char *)national_id, 18, (const unsigned char *)PII_AD,
	        sizeof(PII_AD) - 1, NULL, nonce, pii_keys->seal);
}

void pii_index_national_id(const char *national_id, unsigned char out[PII_INDEX_BYTES])
{
	(void)crypto_generichash(out, PII_INDEX_BYTES, (const unsigned char *)national_id, 18,
	                         pii_keys->index, sizeof(pii_keys->index));
}

int pii_open_national_id(const unsigned char *sealed, size_t len, char out[19])
{
	const unsigned char *nonce = sealed + 1;
	unsigned long long plain_len;

	if (len != PII_SEALED_ID_BYTES || sealed[0] != PII_SEAL_VERSION)
		return -1;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
	            (unsigned char *)out, &plain_len, NULL,
	            nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	            len - 1 - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	            (const unsigned char *)PII_AD, sizeof(PII_AD) - 1, nonce,
	            pii_keys->seal) != 0 ||
	    plain_len != 18)
		return -1;
	out[18] = '\0';
	return 0;
}

char *pii_bytea_hex(const unsigned char *bytes, size_t len, char *out)
{
	out[0] = '\\';
	out[1] = 'x';
	(void)sodium_bin2hex(out + 2, 2 * len + 1, bytes, len);
	return out;
}

int pii_bytea_parse(const char *text, unsigned char *out, size_t size)
{
	size_t len;

	if (text == NULL || text[0] != '\\' || text[1] != 'x')
		return -1;
	if (sodium_hex2bin(out, size, text + 2, strlen(text + 2), NULL, &len, NULL) != 0)
		return -1;
	return (int)len;
}
