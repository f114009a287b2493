/* The service worker of mooc (served at /sw.js by mooc/offline/views.py, which writes CONFIG).

   - static files: cache first, in a cache of this version (older versions' caches are dropped);
   - pages and media of a course the signed-in pupil downloaded: from that pupil's own cache when
     there is no connection (pages: network first, so progress shown online is fresh; media:
     cache first);
   - any other page without a connection: the offline page;
   - never cached: POST, /api/, the sync, the token and bundle documents;
   - "Mark as done" of a downloaded course sent on a dead link (an error, or no answer in
     SEND_TIMEOUT_MS) while the browser believes it is online: kept in the queue as if made
     offline, and the lecture page, from the device, says so.
   Caches are per account ("mooc-u<user>-…") and only the account the pages last said was signed
   in is ever served from them. Background Sync sends the queue (offline.js, imported below). */
'use strict';

const CONFIG = /*CONFIG*/{};
const STATIC = 'mooc-static-' + CONFIG.version;
const PAGE_TIMEOUT_MS = 4000; // a cached page is shown when the network is this slow
const SEND_TIMEOUT_MS = 8000; // a "Mark as done" with no answer by then is kept on the device
const DONE_FORM = /^\/courses\/([^/]+)\/lectures\/([^/]+)\/done$/;

importScripts(CONFIG.script); // offline.js: the queue, the sync and the downloads index

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(STATIC)
      .then((cache) => cache.addAll([...CONFIG.precache, CONFIG.fallback]))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('mooc-static-') && name !== STATIC) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function networkOnly(url) {
  const path = url.pathname;
  return path.startsWith('/api/') || path === '/sw.js' || path === '/offline/sync' ||
    path === '/offline/token' || (path.startsWith('/offline/courses/') && path.endsWith('/manifest.json'));
}

async function fallbackPage() {
  const cached = await caches.match(CONFIG.fallback);
  return cached || new Response('offline', { status: 503, headers: { 'Content-Type': 'text/plain' } });
}

/* The signed-in pupil's cached copy of `url`, or of the offline page that serves it (a quiz). */
async function ownCopy(url) {
  const user = await moocOffline.currentUser();
  if (!user) return undefined;
  const path = new URL(url).pathname;
  for (const record of await moocOffline.downloads(user)) {
    const part = record.parts.find((p) => p.url === path || p.serves === path);
    if (part) {
      const cache = await caches.open(moocOffline.cacheName(user, record.course));
      const found = await cache.match(part.url);
      if (found) return found;
    }
  }
  const shell = await caches.open(moocOffline.cacheName(user, 'pages'));
  return shell.match(path);
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); });
  });
}

/* "Continue learning" (/courses/<slug>/resume) is a redirect the server decides: with no
   connection, a downloaded course resumes at its first lecture. */
async function offlineResume(url) {
  const match = /^(\/courses\/[^/]+)\/resume$/.exec(new URL(url).pathname);
  const user = match && (await moocOffline.currentUser());
  if (!user) return undefined;
  const record = (await moocOffline.downloads(user)).find((r) => r.course_url === match[1]);
  const first = record && record.parts.find((p) => p.url.startsWith(`${match[1]}/lectures/`));
  return first ? Response.redirect(first.url, 302) : undefined;
}

async function page(request) {
  const own = await ownCopy(request.url);
  if (!own) {
    try {
      return await fetch(request);
    } catch (error) {
      return (await offlineResume(request.url)) || fallbackPage();
    }
  }
  if (self.navigator && self.navigator.onLine === false) return own;
  try {
    return await withTimeout(fetch(request), PAGE_TIMEOUT_MS);
  } catch (error) {
    return own;
  }
}

/* A stored media file answers range requests (video, audio) with the part asked for. */
async function ranged(request, response) {
  const range = request.headers.get('Range');
  if (!range) return response;
  const match = /bytes=(\d*)-(\d*)/.exec(range);
  const body = await response.arrayBuffer();
  if (!match) return new Response(body, { status: 200, headers: response.headers });
  const size = body.byteLength;
  let start = match[1] === '' ? size - Number(match[2]) : Number(match[1]);
  let end = match[1] !== '' && match[2] !== '' ? Number(match[2]) : size - 1;
  start = Math.max(0, start);
  end = Math.min(end, size - 1);
  const headers = new Headers(response.headers);
  headers.set('Content-Range', `bytes ${start}-${end}/${size}`);
  headers.set('Content-Length', String(end - start + 1));
  return new Response(body.slice(start, end + 1), { status: 206, headers });
}

async function media(request) {
  const own = await ownCopy(request.url);
  if (own) return ranged(request, own);
  try {
    return await fetch(request);
  } catch (error) {
    // Fails fast, so that a player tries its next (downloaded) source.
    return new Response('', { status: 503 });
  }
}

/* "Mark as done" that did not get through: queued for the downloaded course (as offline.js does
   when the browser says it is offline), then the lecture page, which shows it kept. */
async function keepDone(courseSlug, lectureSlug) {
  const user = await moocOffline.currentUser();
  if (!user) return undefined;
  const record = (await moocOffline.downloads(user)).find((r) => r.course_url === `/courses/${courseSlug}`);
  if (!record) return undefined;
  await moocOffline.enqueue(user, { kind: 'done', course: record.course, slug: lectureSlug });
  if (self.registration.sync) {
    await self.registration.sync.register(moocOffline.SYNC_TAG).catch(() => {});
  }
  return Response.redirect(`/courses/${courseSlug}/lectures/${lectureSlug}`, 303);
}

/* A form sent by navigation (never cached). Without an answer: "Mark as done" is kept on the
   device, any other form gets the offline page rather than the browser's error. */
async function sent(request) {
  const done = DONE_FORM.exec(new URL(request.url).pathname);
  try {
    return await (done ? withTimeout(fetch(request), SEND_TIMEOUT_MS) : fetch(request));
  } catch (error) {
    return (done && (await keepDone(done[1], done[2]).catch(() => undefined))) || fallbackPage();
  }
}

async function staticFile(request) {
  const cache = await caches.open(STATIC);
  const found = await cache.match(request);
  if (found) return found;
  try {
    const response = await fetch(request);
    if (response.ok) cache.put(request, response.clone());
    return response;
  } catch (error) {
    // A page downloaded before an update names the old version: this version's file serves it.
    const other = await cache.match(request, { ignoreSearch: true });
    if (other) return other;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== 'GET') {
    if (request.mode === 'navigate') event.respondWith(sent(request));
    return;
  }
  if (networkOnly(url)) return;
  if (url.pathname.startsWith('/static/')) {
    event.respondWith(staticFile(request));
  } else if (/^\/courses\/[^/]+\/media\//.test(url.pathname)) {
    event.respondWith(media(request));
  } else if (request.mode === 'navigate') {
    event.respondWith(page(request));
  }
});

/* Background Sync: the queue is sent with no page open. Items still waiting make the event
   fail, so that the browser tries again later. */
async function syncQueue() {
  const user = await moocOffline.currentUser();
  if (!user) return;
  await moocOffline.sendQueue(user);
  if ((await moocOffline.queued(user)).length) throw new Error('items still wait to be sent');
}

self.addEventListener('sync', (event) => {
  if (event.tag === moocOffline.SYNC_TAG) event.waitUntil(syncQueue());
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'forget') {
    event.waitUntil(moocOffline.forget(event.data.user));
  }
});
