// Shared by verify.mjs and bench.mjs: Digital Bazaar's verifier stack set up to work offline.
//
// Only the documents a request carries can be loaded: JSON-LD contexts, DID documents (keyed by
// the DID, or by the https address a did:web is published at) and status list credentials. Any
// other URL makes the loader throw, so a record that needs something else fails to verify
// instead of reaching for the network. A did:key is not looked up at all: its one key is read
// from the identifier itself, which is what the did:key method defines.

import {readFile} from 'node:fs/promises';

import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {JsonLdDocumentLoader} from 'jsonld-document-loader';

const DID_V1 = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
const MAX_EMBEDDING = 2;

export class RequestError extends Error {}

/** The JSON object on standard input. */
export async function readRequest() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  let request;
  try {
    request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch(error) {
    throw new RequestError(`standard input is not JSON: ${error.message}`);
  }
  if(!isObject(request)) {
    throw new RequestError('the request must be a JSON object');
  }
  return request;
}

/** Versions of the packages doing the work, as installed from the lock file. */
export async function installedVersions() {
  const names = [
    '@digitalbazaar/vc', '@digitalbazaar/data-integrity',
    '@digitalbazaar/eddsa-rdfc-2022-cryptosuite', '@digitalbazaar/ed25519-multikey',
    '@digitalbazaar/vc-bitstring-status-list', '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite',
    '@digitalbazaar/ecdsa-multikey', '@digitalbazaar/ed25519-signature-2020',
    'jsonld-document-loader', 'jsonld', 'rdf-canonize'
  ];
  const versions = {node: process.versions.node};
  for(const name of names) {
    const url = new URL(`./node_modules/${name}/package.json`, import.meta.url);
    versions[name] = JSON.parse(await readFile(url, 'utf8')).version;
  }
  return versions;
}

/** A JSON-LD document loader serving `documents` ({url: json}) and nothing else. */
export function offlineDocumentLoader(documents = {}) {
  if(!isObject(documents)) {
    throw new RequestError('"documents" must be an object of url → JSON document');
  }
  const served = new Map();
  for(const [url, document] of Object.entries(documents)) {
    if(!isObject(document)) {
      throw new RequestError(`document ${url} is not a JSON object`);
    }
    served.set(url, document);
  }
  const loader = new JsonLdDocumentLoader();
  loader.addDocuments({documents: served});
  loader.setProtocolHandler({
    protocol: 'did',
    handler: {get: ({url}) => dereferenceDid(url, served)}
  });
  const load = loader.build();
  return async url => {
    try {
      return await load(url);
    } catch(error) {
      throw new Error(`offline document loader refused ${url}: ${error.message}`);
    }
  };
}

async function dereferenceDid(url, served) {
  const [did, fragment] = splitOnce(url, '#');
  const document = did.startsWith('did:key:') ?
    await didKeyDocument(did) : servedDidDocument(did, served);
  if(fragment === undefined) {
    return document;
  }
  const method = verificationMethods(document).find(
    candidate => candidate.id === url || candidate.id === `#${fragment}`);
  if(!method) {
    throw new Error(`the DID document of ${did} has no verification method #${fragment}`);
  }
  return {'@context': document['@context'], ...method, id: url};
}

function servedDidDocument(did, served) {
  const document = served.get(did) ??
    (did.startsWith('did:web:') ? served.get(didWebAddress(did)) : undefined);
  if(!document) {
    throw new Error(`no DID document was given for ${did}`);
  }
  if(document.id !== did) {
    throw new Error(`the DID document given for ${did} is about ${document.id}`);
  }
  return document;
}

/** Where a did:web document is published: did:web:host%3Aport:a:b → https://host:port/a/b/did.json */
export function didWebAddress(did) {
  const [host, ...path] = did.slice('did:web:'.length).split(':');
  const where = path.length ? path.map(decodeURIComponent).join('/') : '.well-known';
  return `https://${decodeURIComponent(host)}/${where}/did.json`;
}

async function didKeyDocument(did) {
  const publicKeyMultibase = did.slice('did:key:'.length);
  const id = `${did}#${publicKeyMultibase}`;
  // throws unless the identifier is an Ed25519 (z6Mk…) or a P-256 / P-384 (zDn…, z82…) Multikey
  const keyClass = publicKeyMultibase.startsWith('z6Mk') ? Ed25519Multikey : EcdsaMultikey;
  await keyClass.from({
    '@context': MULTIKEY_V1, type: 'Multikey', id, controller: did, publicKeyMultibase
  });
  return {
    '@context': [DID_V1, MULTIKEY_V1],
    id: did,
    verificationMethod: [{id, type: 'Multikey', controller: did, publicKeyMultibase}],
    authentication: [id],
    assertionMethod: [id],
    capabilityDelegation: [id],
    capabilityInvocation: [id]
  };
}

function verificationMethods(document) {
  const found = [];
  for(const key of ['verificationMethod', 'assertionMethod', 'authentication']) {
    for(const entry of asArray(document[key])) {
      if(isObject(entry)) {
        found.push(entry);
      }
    }
  }
  return found;
}

/** The Data Integrity suite for eddsa-rdfc-2022: verifies, or signs with `signer`. */
export function rdfcSuite({signer, date} = {}) {
  return new DataIntegrityProof({signer, date, cryptosuite: eddsaRdfc2022});
}

/**
 * Every suite the reference verifies here: eddsa-rdfc-2022, ecdsa-rdfc-2019 (P-256, P-384) and
 * the VC 1.1 Ed25519Signature2020. Digital Bazaar publishes no eddsa-jcs-2022 suite on npm.
 */
export function verifyingSuites() {
  return [
    rdfcSuite(),
    new DataIntegrityProof({cryptosuite: ecdsaRdfc2019}),
    new Ed25519Signature2020()
  ];
}

/**
 * Verify a credential's proof, its Bitstring Status List entries (the list itself is verified
 * too) and, for a transcript, every credential it embeds.
 *
 * `verified` says the proofs, dates and status lists check out; `revoked` / `suspended` say a
 * status bit is set. @digitalbazaar/vc reports `verified: true` for a revoked credential, so the
 * bit is read here from each status result rather than inferred from `verified`.
 */
export async function verifyCredential({credential, documentLoader, now, depth = 0}) {
  if(!isObject(credential)) {
    return {verified: false, revoked: false, suspended: false,
      errors: ['the credential is not a JSON object'], embedded: []};
  }
  const result = await vc.verifyCredential({
    credential, documentLoader, now, suite: verifyingSuites(), checkStatus
  });
  const errors = messages(result.error);
  for(const proofResult of result.results ?? []) {
    errors.push(...messages(proofResult.error));
  }
  const statuses = result.statusResult?.results ?? [];
  errors.push(...messages(result.statusResult?.error));
  const isSet = purpose => statuses.some(
    status => status.status === true && status.credentialStatus?.statusPurpose === purpose);
  const outcome = {
    verified: result.verified === true,
    revoked: isSet('revocation'),
    suspended: isSet('suspension'),
    statusChecked: statuses.length > 0 && result.statusResult?.verified === true,
    errors: [...new Set(errors)],
    embedded: []
  };
  const embedded = asArray(credential.credentialSubject?.verifiableCredential);
  if(embedded.length && depth >= MAX_EMBEDDING) {
    outcome.verified = false;
    outcome.errors.push('credentials embedded this deep are not verified');
    return outcome;
  }
  for(const [index, inner] of embedded.entries()) {
    const innerOutcome = await verifyCredential(
      {credential: inner, documentLoader, now, depth: depth + 1});
    outcome.embedded.push({id: inner?.id, ...innerOutcome});
    outcome.verified &&= innerOutcome.verified;
    outcome.revoked ||= innerOutcome.revoked;
    outcome.suspended ||= innerOutcome.suspended;
    outcome.errors.push(
      ...innerOutcome.errors.map(message => `verifiableCredential[${index}]: ${message}`));
  }
  if(!outcome.verified && outcome.errors.length === 0) {
    outcome.errors.push('not verified (the reference gave no reason)');
  }
  return outcome;
}

/** Every message in an error, the errors it aggregates and their causes. */
function messages(error, seen = new Set()) {
  if(!error || seen.has(error)) {
    return [];
  }
  seen.add(error);
  const found = [];
  if(error.message) {
    found.push(String(error.message));
  }
  for(const inner of asArray(error.errors)) {
    found.push(...messages(inner, seen));
  }
  found.push(...messages(error.cause, seen));
  // jsonld.js keeps what went wrong underneath (such as a loader's refusal) in `details`
  found.push(...messages(error.details?.cause, seen));
  return found;
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function asArray(value) {
  if(value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
