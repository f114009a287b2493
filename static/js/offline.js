/* Learning offline, in the page and in the service worker (sw.js imports this file).

   The device keeps, in IndexedDB "mooc-offline": `meta` (which account the pages last said was
   signed in), `downloads` (one record per account and course: the bundle's parts and revision)
   and `queue` (lectures marked done and quizzes answered offline, each with a random id and the
   device's time). Downloaded parts live in Cache Storage, one cache per account and course
   ("mooc-u<user>-c<course>"). The queue goes to POST /offline/sync with a fresh CSRF token;
   the server receives each id once. Without service workers none of this runs: the pages work
   as they always did. */
(function (global) {
  'use strict';

  const DB_NAME = 'mooc-offline';
  const SYNC_TAG = 'mooc-sync';
  const TOKEN_URL = '/offline/token';
  const SYNC_URL = '/offline/sync';
  const SHELL_PAGES = ['/offline/courses'];
  const DOWNLOADS_AT_ONCE = 4;
  const BATCH = 100; // the server takes at most 200 items a request
  const CHECK_EVERY_MS = 10 * 60 * 1000; // a downloaded course is checked for changes this often
  const SEND_TIMEOUT_MS = 10000; // a link that answers nothing by then counts as no connection

  let opened = null;
  function openDb() {
    if (!opened) {
      opened = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => {
          const db = request.result;
          db.createObjectStore('meta');
          db.createObjectStore('downloads', { keyPath: 'key' });
          db.createObjectStore('queue', { keyPath: 'id' });
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return opened;
  }

  function done(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function store(name, mode) {
    return (await openDb()).transaction(name, mode).objectStore(name);
  }
  const read = async (name, key) => done((await store(name, 'readonly')).get(key));
  const write = async (name, value, key) => done((await store(name, 'readwrite')).put(value, key));
  const remove = async (name, key) => done((await store(name, 'readwrite')).delete(key));
  const every = async (name) => done((await store(name, 'readonly')).getAll());

  const cacheName = (user, course) => `mooc-u${user}-${course === 'pages' ? 'pages' : 'c' + course}`;
  const currentUser = async () => (await read('meta', 'user')) || null;
  const downloads = async (user) => (await every('downloads')).filter((r) => r.user === user);
  async function queued(user) {
    return (await every('queue')).filter((i) => i.user === user).sort((a, b) => a.seq - b.seq);
  }

  function uuid() {
    if (global.crypto && global.crypto.randomUUID) return global.crypto.randomUUID();
    const b = global.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  async function enqueue(user, item) {
    const full = Object.assign({ id: uuid(), user, at: new Date().toISOString(), seq: Date.now() + Math.random() }, item);
    await write('queue', full);
    return full;
  }

  /* fetch() that gives up after SEND_TIMEOUT_MS: a dead link may never answer. */
  function fetchInTime(url, options) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), SEND_TIMEOUT_MS);
    return fetch(url, Object.assign({ signal: controller.signal }, options))
      .finally(() => clearTimeout(timer));
  }

  /* Sends the account's queue, oldest first, a batch at a time; drops what the server answered
     (taken, refused or a replay), keeps the rest for the next connection. Returns the server's
     results, or null when nothing could be sent; throws when the link fails on the way. */
  async function sendQueue(user) {
    let items = await queued(user);
    if (!items.length) return [];
    const tokenResponse = await fetchInTime(TOKEN_URL, { credentials: 'same-origin', cache: 'no-store' });
    if (!tokenResponse.ok) return null;
    const token = await tokenResponse.json();
    if (String(token.user) !== String(user)) return null; // another account is signed in now
    const results = [];
    while (items.length) {
      const batch = items.slice(0, BATCH);
      items = items.slice(BATCH);
      const response = await fetchInTime(SYNC_URL, {
        method: 'POST',
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': token.csrf_token },
        body: JSON.stringify({
          user: Number(user),
          items: batch.map(({ id, kind, course, slug, revision, answers, at }) => ({ id, kind, course, slug, revision, answers, at })),
        }),
      });
      if (!response.ok) return results.length ? results : null;
      for (const result of (await response.json()).results) {
        await remove('queue', result.id);
        results.push(result);
      }
    }
    return results;
  }

  /* Everything of `user` on this device: downloads, their caches, the queue. */
  async function forget(user) {
    for (const name of await caches.keys()) {
      if (name.startsWith(`mooc-u${user}-`)) await caches.delete(name);
    }
    for (const record of await downloads(user)) await remove('downloads', record.key);
    for (const item of await queued(user)) await remove('queue', item.id);
    if ((await currentUser()) === user) await write('meta', null, 'user');
  }

  async function isComplete(record) {
    const cache = await caches.open(cacheName(record.user, record.course));
    for (const part of record.parts) {
      if (!(await cache.match(part.url))) return false;
    }
    return true;
  }

  /* Stores every part of a course's bundle document `doc` for `user`, reporting bytes stored. */
  async function download(user, doc, progress) {
    if (String(doc.user) !== String(user)) throw new Error('bundle of another account');
    const cache = await caches.open(cacheName(user, doc.course));
    let stored = 0;
    const waiting = doc.parts.slice();
    // A few at a time: on a slow link the round trips, not the bytes, take most of the time.
    const worker = async () => {
      for (let part = waiting.shift(); part; part = waiting.shift()) {
        // "prefetch": the server does not count the download as reading the lecture. Pages come
        // fresh ("reload"): the browser's copy of a page seen may show a message meant for that
        // one visit, and a 304 would store it for good. Media may come from the browser's cache.
        const response = await fetch(part.url, {
          credentials: 'same-origin',
          cache: part.kind === 'media' ? 'default' : 'reload',
          headers: { Purpose: 'prefetch' },
        });
        if (!response.ok || response.redirected) throw new Error(`could not download ${part.url}`);
        await cache.put(part.url, response);
        stored += part.size;
        if (progress) progress(Math.min(stored, doc.total_bytes), doc.total_bytes);
      }
    };
    await Promise.all(Array.from({ length: DOWNLOADS_AT_ONCE }, worker));
    const wanted = new Set(doc.parts.map((p) => new URL(p.url, global.location.origin).href));
    for (const request of await cache.keys()) {
      if (!wanted.has(request.url)) await cache.delete(request);
    }
    const shell = await caches.open(cacheName(user, 'pages'));
    for (const url of SHELL_PAGES) {
      const response = await fetch(url, { credentials: 'same-origin' }).catch(() => null);
      if (response && response.ok && !response.redirected) await shell.put(url, response);
    }
    const record = {
      key: `${user}:${doc.course}`, user, course: doc.course, revision: doc.revision,
      total: doc.total_bytes, title: doc.title, course_url: doc.course_url, parts: doc.parts,
      at: new Date().toISOString(),
    };
    await write('downloads', record);
    return record;
  }

  async function deleteDownload(user, course) {
    await caches.delete(cacheName(user, course));
    await remove('downloads', `${user}:${course}`);
  }

  async function fetchJson(url) {
    const response = await fetchInTime(url, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  global.moocOffline = {
    SYNC_TAG, cacheName, currentUser, downloads, queued, enqueue, sendQueue, forget, download,
    deleteDownload, isComplete, fetchJson,
  };

  if (typeof document === 'undefined') return; // in the service worker: the functions only

  /* ---- the page ---- */
  const script = document.getElementById('offline-script');
  const supported = 'serviceWorker' in navigator && 'caches' in global && 'indexedDB' in global;
  if (!script || !supported) return;
  const user = script.dataset.user || null;
  const lang = document.documentElement.lang || 'vi';

  function megabytes(bytes) {
    const mb = Math.max(bytes / (1024 * 1024), bytes > 0 ? 0.1 : 0);
    return new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(mb);
  }

  function requestBackgroundSync() {
    navigator.serviceWorker.ready
      .then((registration) => registration.sync && registration.sync.register(SYNC_TAG))
      .catch(() => {});
  }

  async function showStatus(message) {
    const box = document.getElementById('offline-status');
    if (!box || !user) return;
    const text = box.querySelector('[data-offline-message]');
    const button = box.querySelector('[data-offline="sync"]');
    const count = (await queued(user)).length;
    box.dataset.pending = String(count);
    const parts = [];
    if (!navigator.onLine) parts.push(box.dataset.offlineText);
    if (count) parts.push((count === 1 ? box.dataset.pendingOne : box.dataset.pendingOther).replace('{n}', count));
    if (message) parts.push(message);
    text.textContent = parts.join(' ');
    button.hidden = !count || !navigator.onLine;
    box.hidden = !parts.length;
  }

  async function sync() {
    if (!user || !navigator.onLine) return null;
    const results = await sendQueue(user).catch(() => null);
    const box = document.getElementById('offline-status');
    let message = '';
    if (results && results.length) {
      const refused = results.filter((r) => r.message).map((r) => r.message);
      message = refused.length ? refused.join(' ') : box.dataset.synced;
    }
    if (!results && (await queued(user)).length) {
      // Online by the browser's word, yet the server did not answer: kept, tried again later.
      message = box.dataset.unsent;
      requestBackgroundSync();
    }
    await showStatus(message);
    return results;
  }

  async function courseControl() {
    const article = document.querySelector('[data-offline-course]');
    const box = document.querySelector('[data-offline-control]');
    if (!article || !box || !user) return;
    const course = Number(article.dataset.offlineCourse);
    const button = box.querySelector('[data-offline="download"]');
    const size = box.querySelector('[data-offline-size]');
    const note = box.querySelector('[data-offline-note]');
    // Made here, not in the page: a course page shows a progress bar only for the course itself.
    const bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    bar.hidden = true;
    bar.dataset.offlineProgress = '';
    bar.setAttribute('aria-label', box.dataset.wordsBar);
    note.before(bar);
    const ready = box.querySelector('[data-offline-ready]');
    let record = await read('downloads', `${user}:${course}`);
    let doc = null;
    try {
      doc = await fetchJson(article.dataset.offlineBundle);
    } catch (error) {
      doc = null;
    }
    const total = doc ? doc.total_bytes : record ? record.total : 0;
    size.textContent = `(${box.dataset.wordsSize.replace('{size}', megabytes(total))})`;
    box.hidden = false;

    const showReady = () => {
      button.hidden = true;
      ready.hidden = false;
      bar.hidden = true;
      note.textContent = '';
      article.dataset.offlineState = 'ready';
    };
    const run = async (words) => {
      if (!doc) return;
      button.disabled = true;
      bar.hidden = false;
      note.textContent = words || '';
      article.dataset.offlineState = 'downloading';
      try {
        record = await download(user, doc, (stored, all) => {
          const percent = all ? Math.round((100 * stored) / all) : 100;
          bar.value = percent;
          note.textContent = box.dataset.wordsProgress.replace('{percent}', percent);
        });
        showReady();
      } catch (error) {
        note.textContent = box.dataset.wordsFailed;
        article.dataset.offlineState = 'failed';
        bar.hidden = true;
      } finally {
        button.disabled = false;
      }
    };
    button.addEventListener('click', () => run());
    if (record && (!doc || doc.revision === record.revision) && (await isComplete(record))) {
      showReady();
    } else if (record && doc) {
      await run(box.dataset.wordsUpdate); // changed since downloaded: updated at this connection
    }
  }

  /* Downloaded courses changed since: updated now that the connection is back. */
  async function updateDownloads() {
    const current = document.querySelector('[data-offline-course]');
    for (const record of await downloads(user)) {
      if (current && Number(current.dataset.offlineCourse) === record.course) continue;
      if (Date.now() - (record.checked || 0) < CHECK_EVERY_MS) continue;
      try {
        const doc = await fetchJson(`/offline/courses/${record.course}/manifest.json`);
        const kept = doc.revision !== record.revision ? await download(user, doc) : record;
        await write('downloads', Object.assign(kept, { checked: Date.now() }));
      } catch (error) {
        // Not enrolled any more, or no connection: kept as it is, tried again next time.
      }
    }
  }

  async function courseOf(slug) {
    const path = `/courses/${slug}`;
    return (await downloads(user)).find((r) => r.course_url === path) || null;
  }

  /* "Mark as done" with no connection: kept on the device, then on to the next lecture. */
  function lectureActions() {
    const form = document.querySelector('.lecture-actions form[action$="/done"]');
    if (!form || !user) return;
    const match = /^\/courses\/([^/]+)\/lectures\/([^/]+)\/done$/.exec(new URL(form.action).pathname);
    if (!match) return;
    const [, courseSlug, lectureSlug] = match;
    const saved = (label) => {
      const p = document.createElement('p');
      p.className = 'done';
      p.dataset.offlineQueued = '';
      p.textContent = `✓ ${label}`;
      form.replaceWith(p);
    };
    const label = document.getElementById('offline-status').dataset.queuedDone;
    queued(user).then((items) => {
      if (items.some((i) => i.kind === 'done' && i.slug === lectureSlug)) saved(label);
    });
    form.addEventListener('submit', async (event) => {
      if (navigator.onLine) return; // sent as always
      event.preventDefault(); // now: the decision below waits for the device's database
      const record = await courseOf(courseSlug).catch(() => null);
      if (!record) {
        form.submit(); // not downloaded: the offline page answers
        return;
      }
      await enqueue(user, { kind: 'done', course: record.course, slug: lectureSlug });
      requestBackgroundSync();
      saved(label);
      await showStatus();
      const next = document.querySelector('.pager a[rel="next"]');
      if (next) global.location.href = next.href;
    });
  }

  /* A quiz available offline: the answers are kept, and sent at once when connected. */
  function offlineQuiz() {
    const form = document.querySelector('form[data-offline-quiz]');
    if (!form || !user) return;
    const note = form.querySelector('[data-offline-note]');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const answers = {};
      for (const [name, value] of new FormData(form)) {
        if (/^q\d+$/.test(name)) (answers[name] = answers[name] || []).push(String(value));
      }
      const item = await enqueue(user, {
        kind: 'quiz', course: Number(form.dataset.course), slug: form.dataset.slug,
        revision: Number(form.dataset.revision), answers,
      });
      form.querySelector('button[type="submit"]').disabled = true;
      note.textContent = form.dataset.wordsSaved;
      form.dataset.offlineState = 'saved';
      if (navigator.onLine) {
        note.textContent = form.dataset.wordsSending;
        const results = await sync();
        const mine = results && results.find((r) => r.id === item.id);
        if (mine && mine.result_url) {
          global.location.href = mine.result_url;
          return;
        }
        // Not sent (a dead link): kept, and sent when the connection returns.
        note.textContent = mine ? mine.message || form.dataset.wordsSaved : form.dataset.wordsKept;
      } else {
        requestBackgroundSync();
        await showStatus();
      }
    });
  }

  async function myCourses() {
    const box = document.querySelector('[data-offline-courses]');
    if (!box || !user) return;
    box.querySelector('[data-offline-unsupported]').hidden = true;
    const list = box.querySelector('[data-offline-list]');
    const records = await downloads(user);
    list.replaceChildren();
    if (!records.length) {
      const li = document.createElement('li');
      li.textContent = box.dataset.wordsEmpty;
      list.append(li);
    }
    const dates = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
    for (const record of records) {
      const li = document.createElement('li');
      li.dataset.offlineCourse = record.course;
      const link = document.createElement('a');
      link.href = record.course_url;
      link.textContent = record.title;
      const facts = document.createElement('span');
      facts.className = 'meta';
      facts.textContent = ` · ${box.dataset.wordsSize.replace('{size}', megabytes(record.total))} · ${box.dataset.wordsDownloaded.replace('{date}', dates.format(new Date(record.at)))} `;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'danger';
      button.dataset.offline = 'delete';
      button.textContent = box.dataset.wordsDelete;
      const name = document.createElement('span');
      name.className = 'visually-hidden';
      name.textContent = ` ${record.title}`;
      button.append(name);
      button.addEventListener('click', async () => {
        await deleteDownload(user, record.course);
        await myCourses();
        box.querySelector('[data-offline-total]').textContent = box.dataset.wordsDeleted;
      });
      li.append(link, facts, button);
      list.append(li);
    }
  }

  /* Logging out deletes the account's downloads and queue, after a warning if items wait. */
  function logoutForms() {
    const box = document.getElementById('offline-status');
    for (const form of document.querySelectorAll('form[action$="/logout"]')) {
      form.addEventListener('submit', async (event) => {
        if (!user) return;
        event.preventDefault();
        const waiting = (await queued(user)).length;
        if (waiting && !global.confirm(box.dataset.signout)) return;
        await forget(user);
        form.submit();
      });
    }
  }

  async function start() {
    navigator.serviceWorker.register(script.dataset.worker).catch(() => {});
    await write('meta', user, 'user');
    if (user) {
      // Another account's downloads never stay beside this one's (its queue waits for it).
      for (const name of await caches.keys()) {
        if (name.startsWith('mooc-u') && !name.startsWith(`mooc-u${user}-`)) await caches.delete(name);
      }
      for (const record of await every('downloads')) {
        if (record.user !== user) await remove('downloads', record.key);
      }
    }
    logoutForms();
    lectureActions();
    offlineQuiz();
    myCourses();
    const box = document.getElementById('offline-status');
    if (box) box.querySelector('[data-offline="sync"]').addEventListener('click', () => sync());
    await showStatus();
    await courseControl();
    if (user && navigator.onLine) {
      await sync();
      await updateDownloads();
    }
    document.documentElement.dataset.offlineStarted = 'true';
  }

  global.addEventListener('online', () => sync());
  global.addEventListener('offline', () => showStatus());
  start();
})(self);
