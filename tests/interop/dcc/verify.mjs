// Verify credentials with the Digital Credentials Consortium's verifier-core, fully offline.
//
//   node verify.mjs < request.json
//
// request: {"jobs": [{"credentials": [{...}, ...], "documents": {"<https url>": {...}, ...},
//                     "registries": [{...DCC known-registry entry...}, ...]}, ...]}
//   documents: what the verifier may fetch while it checks that job's credentials — JSON-LD
//   contexts it does not bundle, did:web documents (at their https address, did.json), status
//   list credentials, JSON Schemas, issuer registries. `registries`: the knownDIDRegistries
//   argument (the Learner Credential Wallet passes DCC's list of known registries). Jobs share one
//   process, and verifier-core caches resolved DIDs: a DID's document must be the same in all.
// prints: {"versions": {...}, "jobs": [{"results": [<verifier-core's result, minus the echoed
//          credential>], "fetched": [url, ...], "refused": [url, ...]}, ...]}
// exit status: 0 when results were printed, whatever they say; 2 for a request it cannot read.
//
// verifier-core builds its document loader itself (contexts from its packages, anything else
// over https, did:key from the identifier, did:web over https) and accepts none from the caller,
// so the network is replaced underneath it: `fetch` serves the job's documents and refuses
// every other URL. The library's own code (did:web → URL, status list loading, the schema and
// registry lookups) runs unchanged.

import {readFile} from 'node:fs/promises';

let served = new Map();
let fetched = [];
let refused = [];

class RequestError extends Error {}

async function readRequest() {
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
  if(!isObject(request) || !Array.isArray(request.jobs)) {
    throw new RequestError('the request must be an object with a "jobs" array');
  }
  return request.jobs.map((job, n) => {
    if(!isObject(job) || !Array.isArray(job.credentials)) {
      throw new RequestError(`job ${n} must be an object with a "credentials" array`);
    }
    const documents = job.documents ?? {};
    if(!isObject(documents)) {
      throw new RequestError(`job ${n}: "documents" must be an object of url → JSON document`);
    }
    for(const [url, document] of Object.entries(documents)) {
      if(!isObject(document)) {
        throw new RequestError(`job ${n}: document ${url} is not a JSON object`);
      }
    }
    return {
      credentials: job.credentials,
      documents: new Map(Object.entries(documents)),
      registries: job.registries ?? []
    };
  });
}

function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `fetch` as seen by every package here: the served documents, nothing else. */
async function offlineFetch(input) {
  const url = typeof input === 'string' ? input :
    input instanceof URL ? input.href : input.url;
  const document = served.get(url);
  if(document === undefined) {
    refused.push(url);
    throw new TypeError(`offline: refused ${url}`);
  }
  fetched.push(url);
  return new Response(JSON.stringify(document), {
    status: 200, headers: {'content-type': 'application/json'}
  });
}

async function installedVersions() {
  const names = [
    '@digitalcredentials/verifier-core', '@digitalcredentials/vc',
    '@digitalcredentials/eddsa-rdfc-2022-cryptosuite',
    '@digitalcredentials/vc-bitstring-status-list',
    '@digitalcredentials/security-document-loader',
    '@digitalcredentials/issuer-registry-client'
  ];
  const versions = {node: process.versions.node};
  for(const name of names) {
    const url = new URL(`./node_modules/${name}/package.json`, import.meta.url);
    versions[name] = JSON.parse(await readFile(url, 'utf8')).version;
  }
  return versions;
}

/** A result as JSON: the credential it echoes dropped, errors reduced to name and message. */
function plain(result) {
  return JSON.parse(JSON.stringify(result, (key, value) => {
    if(key === 'credential' || key === 'stackTrace' || key === 'stack') {
      return undefined;
    }
    if(value instanceof Error) {
      return {name: value.name, message: value.message};
    }
    return value;
  }));
}

try {
  const jobs = await readRequest();
  globalThis.fetch = offlineFetch;
  // the registry client and the schema check log to the console: keep stdout for the JSON
  console.log = (...args) => console.error(...args);
  const {verifyCredential} = await import('@digitalcredentials/verifier-core');
  const outcomes = [];
  for(const job of jobs) {
    served = job.documents;
    fetched = [];
    refused = [];
    const results = [];
    for(const credential of job.credentials) {
      const result = await verifyCredential(
        {credential, knownDIDRegistries: job.registries});
      results.push(plain(result));
    }
    outcomes.push({results, fetched, refused});
  }
  process.stdout.write(JSON.stringify({
    versions: await installedVersions(), jobs: outcomes
  }) + '\n');
} catch(error) {
  if(!(error instanceof RequestError)) {
    throw error;
  }
  process.stderr.write(`verify.mjs: ${error.message}\n`);
  process.exitCode = 2;
}
