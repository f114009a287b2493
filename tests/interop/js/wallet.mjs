// A test wallet: adds a record to itself through the platform's VC API exchange ("Add to
// wallet"), the way the DCC Learner Credential Wallet does, with Digital Bazaar's libraries.
//
//   node wallet.mjs < request.json
//
// request: {
//   "exchanges": ["<exchange URL or LCW deep link (vc_request_url=…)>", …],
//   "documents": {"<url>": {...}},   JSON-LD contexts it may load without asking anyone
//   "rewrite": {"<origin>": "<origin>"}  where the platform's public origin is really served
//                                       (a test server on a loopback port), for every request
//   "direct": true   the LCW's direct request instead: no {} first; the presentation, signed for
//                    the deep link's challenge (no domain), is POSTed as the body itself
// }
// For each exchange it makes a fresh did:key (Ed25519 Multikey), POSTs {} to the exchange,
// signs a DIDAuthentication presentation for the challenge and domain it is given, POSTs it,
// and verifies the credential it receives with the Digital Bazaar verifier (issuer's did:web
// document and status list fetched from the platform), checking it is issued to its DID.
// prints: {"results": [{"did", "credential", "verified", "revoked", "errors", "subjectIsMine",
//           "exchangeMs", "verifyMs"}]}
// exit status: 0 when every exchange was run (whatever the verdicts); 2 when one went wrong.

import * as DidKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as vc from '@digitalbazaar/vc';

import {
  didWebAddress, offlineDocumentLoader, rdfcSuite, readRequest, RequestError, verifyCredential
} from './reference.mjs';

const didKeyDriver = DidKey.driver();
didKeyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

class ExchangeError extends Error {}

/** The exchange URL of an LCW deep link (or the URL itself when it is one already). */
export function exchangeUrlOf(link) {
  const url = new URL(link);
  return url.searchParams.get('vc_request_url') ?? link;
}

function rewritten(url, rewrite) {
  for(const [from, to] of Object.entries(rewrite)) {
    if(url === from || url.startsWith(from + '/')) {
      return to + url.slice(from.length);
    }
  }
  return null;
}

async function postJson(url, body, rewrite) {
  const target = rewritten(url, rewrite) ?? url;
  const response = await fetch(target, {
    method: 'POST',
    headers: {'Content-Type': 'application/json', Accept: 'application/json'},
    body: JSON.stringify(body)
  });
  const answer = await response.json().catch(() => null);
  if(!response.ok) {
    throw new ExchangeError(
      `POST ${url} answered ${response.status}: ${JSON.stringify(answer)}`);
  }
  return answer;
}

/** The offline loader, plus what the platform publishes (did:web documents, status lists, its
 * context), fetched from where it is really served and kept for the next credential. */
function platformLoader(documents, rewrite) {
  const served = {...documents};
  let offline = offlineDocumentLoader(served);
  return async url => {
    try {
      return await offline(url);
    } catch(error) {
      const address = url.startsWith('did:web:') ?
        didWebAddress(url.split('#')[0]) : url.split('#')[0];
      const target = rewritten(address, rewrite);
      if(!target || address in served) {
        throw error;
      }
      const response = await fetch(target, {headers: {Accept: 'application/json'}});
      if(!response.ok) {
        throw new Error(`GET ${target} answered ${response.status}`);
      }
      served[address] = await response.json();
      offline = offlineDocumentLoader(served);
      return offline(url);
    }
  };
}

async function newDid() {
  const verificationKeyPair = await Ed25519Multikey.generate();
  const {didDocument, methodFor} = await didKeyDriver.fromKeyPair({verificationKeyPair});
  const {id} = methodFor({purpose: 'authentication'});
  verificationKeyPair.id = id;
  verificationKeyPair.controller = didDocument.id;
  return {did: didDocument.id, key: verificationKeyPair};
}

/** The VC API way: POST {} for the DIDAuthentication request, answer it. `direct`: the LCW's
 * deep-link way: sign for the link's challenge alone and POST the presentation itself. */
async function addToWallet({link, direct, documentLoader, rewrite}) {
  const exchangeUrl = exchangeUrlOf(link);
  const {did, key} = await newDid();
  const started = performance.now();
  let request = {challenge: new URL(link).searchParams.get('challenge')};
  if(!direct) {
    const asked = await postJson(exchangeUrl, {}, rewrite);
    request = asked?.verifiablePresentationRequest;
    if(!request?.query?.some(query => query.type === 'DIDAuthentication')) {
      throw new ExchangeError(`not a DIDAuthentication request: ${JSON.stringify(asked)}`);
    }
  } else if(!request.challenge) {
    throw new RequestError(`a direct request needs a deep link with a challenge: ${link}`);
  }
  const presentation = await vc.signPresentation({
    presentation: vc.createPresentation({holder: did, version: 2.0}),
    suite: rdfcSuite({signer: key.signer()}),
    challenge: request.challenge,
    domain: request.domain,
    documentLoader
  });
  const body = direct ? presentation : {verifiablePresentation: presentation};
  const answer = await postJson(exchangeUrl, body, rewrite);
  const exchangeMs = performance.now() - started;
  const [credential] = answer?.verifiablePresentation?.verifiableCredential ?? [];
  if(!credential) {
    throw new ExchangeError(`no credential came back: ${JSON.stringify(answer)}`);
  }
  const verifyStarted = performance.now();
  const outcome = await verifyCredential({credential, documentLoader});
  return {
    did,
    credential,
    verified: outcome.verified,
    revoked: outcome.revoked,
    errors: outcome.errors,
    subjectIsMine: credential.credentialSubject?.id === did,
    exchangeMs,
    verifyMs: performance.now() - verifyStarted
  };
}

try {
  const request = await readRequest();
  const rewrite = request.rewrite ?? {};
  if(!Array.isArray(request.exchanges) || request.exchanges.length === 0) {
    throw new RequestError('"exchanges" must be a non-empty list of exchange URLs');
  }
  const documentLoader = platformLoader(request.documents ?? {}, rewrite);
  const results = [];
  for(const link of request.exchanges) {
    const direct = request.direct === true;
    results.push(await addToWallet({link, direct, documentLoader, rewrite}));
  }
  process.stdout.write(JSON.stringify({results}) + '\n');
} catch(error) {
  if(!(error instanceof RequestError || error instanceof ExchangeError)) {
    throw error;
  }
  process.stderr.write(`wallet.mjs: ${error.message}\n`);
  process.exitCode = 2;
}
