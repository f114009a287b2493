// Issue and verify a batch of records with the JavaScript reference, timing both on CPU time.
//
//   node bench.mjs < request.json      (bench/credentials.py writes the request)
//
// request: {"records": [unsigned credential, ...], "created": "<dateTime>", "now": "<dateTime>",
//           "key": {"verificationMethod", "controller", "publicKeyMultibase",
//                   "secretKeyMultibase"},
//           "documents": {"<url>": {...}}}   (contexts and DID documents; nothing else loads)
//           "batches": [{"label", "credentials": [signed credential, ...]}],
//           "presentations": [{"label", "items": [{"presentation", "challenge", "domain"}]}]}
// prints: {"versions", "issue": {"count", "cpuSeconds", "wallSeconds"}, "verify": {...},
//          "proofValues": [...], "batches": {"<label>": {...}}, "presentations": {...}}
//   proofValues: one per record issued here, in order, to compare with Python's.
//
// Verifying a credential here means what the Python bench measures: the proof, with its key
// taken from the DID document (or the did:key) and its purpose checked, and the dates; status
// lists are not consulted (each side would only re-read the same list). `batches` are records
// Python signed, one batch per suite, each verified with the suite it names. A presentation is
// verified whole: the holder's proof over the challenge and domain, then every credential in
// it, its status list included (served from `documents`).

import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as vc from '@digitalbazaar/vc';

import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

import {
  installedVersions, offlineDocumentLoader, rdfcSuite, readRequest, verifyingSuites
} from './reference.mjs';

const request = await readRequest();
const {records, created, now, key} = request;
const documentLoader = offlineDocumentLoader(request.documents);
const keyPair = await Ed25519Multikey.from({
  '@context': 'https://w3id.org/security/multikey/v1',
  type: 'Multikey',
  id: key.verificationMethod,
  controller: key.controller,
  publicKeyMultibase: key.publicKeyMultibase,
  secretKeyMultibase: key.secretKeyMultibase
});
// one suite for the whole batch: the same key and `created` for every record
const signingSuite = rdfcSuite({signer: keyPair.signer(), date: created});
const verifyingSuite = verifyingSuites();
const statusNotConsulted = async () => ({verified: true, results: []});

async function issue(record) {
  return vc.issue({credential: structuredClone(record), suite: signingSuite, documentLoader});
}

async function verify(credential) {
  const result = await vc.verifyCredential({
    credential, suite: verifyingSuite, documentLoader, now, checkStatus: statusNotConsulted
  });
  if(!result.verified) {
    const reason = result.error?.errors?.[0]?.message ?? result.error?.message;
    throw new Error(`the reference rejected ${credential.id}: ${reason}`);
  }
}

async function timed(work) {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const count = await work();
  const used = process.cpuUsage(cpu);
  return {
    count,
    cpuSeconds: (used.user + used.system) / 1e6,
    wallSeconds: (performance.now() - wall) / 1000
  };
}

// warm-up: contexts resolved and cached, code paths compiled
await verify(await issue(records[0]));

const signed = [];
const issueTiming = await timed(async () => {
  for(const record of records) {
    signed.push(await issue(record));
  }
  return signed.length;
});
const verifyTiming = await timed(async () => {
  for(const credential of signed) {
    await verify(credential);
  }
  return signed.length;
});

async function verifyPresentation({presentation, challenge, domain}) {
  const result = await vc.verify({
    presentation, challenge, domain, suite: verifyingSuite, documentLoader, now, checkStatus
  });
  if(!result.verified) {
    const reason = result.error?.errors?.[0]?.message ?? result.error?.message ??
      result.presentationResult?.results?.[0]?.error?.message;
    throw new Error(`the reference rejected a presentation: ${reason}`);
  }
}

const batches = {};
for(const {label, credentials} of request.batches ?? []) {
  await verify(credentials[0]);  // warm-up for this suite
  batches[label] = await timed(async () => {
    for(const credential of credentials) {
      await verify(credential);
    }
    return credentials.length;
  });
}
const presentations = {};
for(const {label, items} of request.presentations ?? []) {
  await verifyPresentation(items[0]);
  presentations[label] = await timed(async () => {
    for(const item of items) {
      await verifyPresentation(item);
    }
    return items.length;
  });
}

process.stdout.write(JSON.stringify({
  versions: await installedVersions(),
  issue: issueTiming,
  verify: verifyTiming,
  proofValues: signed.map(credential => credential.proof.proofValue),
  batches,
  presentations
}) + '\n');
