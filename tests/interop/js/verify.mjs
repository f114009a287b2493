// Verify one credential with the JavaScript reference, fully offline.
//
//   node verify.mjs < request.json
//
// request: {"credential": {...}, "documents": {"<url>": {...}, ...}, "now": "<dateTime>"?}
//   documents: the JSON-LD contexts, DID documents and status list credentials the credential
//   needs; nothing else can be loaded. `now` is the verifier's clock (default: the real one).
// prints: {"verified", "revoked", "suspended", "statusChecked", "errors": [...],
//          "embedded": [{"id", ...the same fields}]}  (embedded: a transcript's records)
// exit status: 0 when a verdict was printed, whatever it is; 2 for a request it cannot read.

import {
  offlineDocumentLoader, readRequest, RequestError, verifyCredential
} from './reference.mjs';

try {
  const request = await readRequest();
  const documentLoader = offlineDocumentLoader(request.documents);
  const outcome = await verifyCredential(
    {credential: request.credential, documentLoader, now: request.now});
  process.stdout.write(JSON.stringify(outcome) + '\n');
} catch(error) {
  if(!(error instanceof RequestError)) {
    throw error;
  }
  process.stderr.write(`verify.mjs: ${error.message}\n`);
  process.exitCode = 2;
}
