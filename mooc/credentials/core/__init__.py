"""The pure core of signed credit records: build, canonicalize, sign and verify them.

No web framework, ORM or settings: only the standard library, pyld and cryptography, so a
university can use it as a library. Modules: `contexts` (bundled JSON-LD contexts),
`multibase`, `multikey` (Ed25519 keys, did:key), `did` (did:web, DID documents), `canonical`
(RDFC-1.0), `proof` (eddsa-rdfc-2022), `status_list` (Bitstring Status List), `identity`
(hashed learner identity), `records` (OB 3.0 / CLR 2.0), `structure` (well-formedness rules),
`verify` (named checks), `timestamps`.
"""
