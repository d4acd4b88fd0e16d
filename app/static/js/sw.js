/* Service worker of the phone form, served at /t/sw.js so its scope is /t/. It keeps what a phone
   opened with signal (the start page of an open phase, the stylesheet and script; offline.js keeps
   each person's form) and serves it without signal; it sends the queue on Background Sync where
   the browser has it. One cache name for every version: an update keeps the kept pages. */
importScripts('/static/js/offline.js');
const FILES = ['/static/css/phone.css', '/static/js/offline.js'], FORM = /^\/t\/[\w-]+$/;
addEventListener('install', e => e.waitUntil(caches.open(CN.CACHE).then(c => c.addAll(FILES)).then(() => skipWaiting())));
addEventListener('activate', e => e.waitUntil(clients.claim()));
addEventListener('sync', e => { if (e.tag === 'queue') e.waitUntil(CN.send()); });
addEventListener('fetch', e => {
  const r = e.request, u = new URL(r.url), file = FILES.includes(u.pathname);
  if (u.origin !== location.origin || !(file || FORM.test(u.pathname))) return;
  if (r.method === 'POST') {
    // Sent as the signal dropped: offline.js queued the answer first; show the start page.
    if (r.mode === 'navigate') e.respondWith(fetch(r).catch(() => Response.redirect(u.pathname, 303)));
    return;
  }
  const p = u.searchParams.get('p'), code = (u.searchParams.get('code') || '').trim().toLowerCase();
  const key = u.pathname + (p ? '?p=' + p : code ? '?code=' + encodeURIComponent(code) : '');
  e.respondWith(fetch(r).then(res => {
    if (res.ok && (file || !u.search)) {
      const copy = res.clone();
      e.waitUntil(caches.open(CN.CACHE).then(c => c.put(key, copy)));
    }
    return res;
  }, async () => (await caches.match(key)) || (await caches.match(u.pathname)) || Response.error()));
});
