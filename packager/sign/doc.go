// Package sign owns everything that vouches for a casepack package: signing
// keys and institutional X.509 credentials, the detached signatures over the
// bag's tag manifest (raw Ed25519, or CMS for certificates), the signature
// embedded in the narrative PDF (a CMS signature over its byte ranges, with
// SubFilter adbe.pkcs7.detached as pdfsign writes it: PDF readers show it,
// but it is not a PAdES baseline signature), RFC 3161 time-stamps, co-signing an existing
// package, and the verification and trust decision for every signature.
//
// What is signed is the exact byte content of tagmanifest-sha256.txt. That
// file lists the digests of every other tag file, and those list every
// payload file, so one signature covers the whole bag while staying checkable
// with plain openssl:
//
//	openssl pkeyutl -verify -pubin -inkey signatures/1-alice.pub.pem -rawin \
//	    -in tagmanifest-sha256.txt -sigfile signatures/1-alice.sig
//
// Signature files live in signatures/, which no manifest lists (the files
// sign the manifests, so they cannot be inside them). Each signature n by
// signer slug s is a group of files:
//
//	n-s.sig        Ed25519: raw 64-byte signature over tagmanifest-sha256.txt
//	n-s.pub.pem    Ed25519: the signer's public key (PKIX PEM)
//	n-s.p7s        X.509:   DER CMS detached signature, certificate chain inside
//	n-s.json       the signer's label (name, role, organisation)
//	n-s.json.sig   Ed25519 signature over the label bytes  (or n-s.json.p7s:
//	               CMS over the label), so a changed name is detected
//	n-s.tsr        optional RFC 3161 time-stamp response over the bytes of
//	               n-s.sig or n-s.p7s (the signature, not the manifest)
//
// Because signatures/ is outside every manifest, VerifyPackage treats any
// file there that is not part of a complete group as a finding.
package sign
