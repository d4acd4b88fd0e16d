/* Phone form offline (surveys, issue #19). An answer sent without signal waits in IndexedDB under
   its client token and leaves only on the server's receipt for that token (/t/<token>/sync), so a
   replay stores nothing twice. Loaded by the phone pages and by the service worker (/t/sw.js,
   importScripts), which share the queue below. No framework, no build step, no inline script. */
'use strict';
var CN = (() => {
  const STORE = 'q', CACHE = 'caunoi-t';
  const open = () => new Promise((ok, ko) => {
    const r = indexedDB.open('caunoi', 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE, {keyPath: 'token'});
    r.onsuccess = () => ok(r.result);
    r.onerror = () => ko(r.error);
  });
  const run = (mode, fn) => open().then(db => new Promise((ok, ko) => {
    const t = db.transaction(STORE, mode), req = fn(t.objectStore(STORE));
    t.oncomplete = () => { db.close(); ok(req.result); };
    t.onerror = t.onabort = () => { db.close(); ko(t.error); };
  }));
  const all = () => run('readonly', s => s.getAll());
  const put = e => run('readwrite', s => s.put(e));
  const drop = k => run('readwrite', s => s.delete(k));
  // The copy of one person's form kept for offline use (all questions on one page), under her
  // own link (?p=<her key>) and under her typed code (?code=<code in lower case>), so that the
  // start page's code box finds it without signal too.
  const keep = async (base, p, code) => {
    const r = await fetch(base + '?p=' + p + '&offline=1', {credentials: 'same-origin'});
    if (!r.ok) return;
    const c = await caches.open(CACHE);
    if (code) await c.put(base + '?code=' + encodeURIComponent(code), r.clone());
    await c.put(base + '?p=' + p, r);
  };
  let busy = null;
  const send = () => busy || (busy = all().then(async list => {
    for (const e of list) {
      try {
        const r = await fetch(e.url + '/sync', {method: 'POST', credentials: 'same-origin',
          body: new URLSearchParams(e.fields.concat([['answered_at', e.at], ['version', e.version]]))});
        const j = r.ok && await r.json();
        if (!j || j.receipt !== e.token) continue;
        await drop(e.token);
        // Her kept form would take a second answer under the same token: keep the server's page now.
        await keep(e.url, new URLSearchParams(e.fields).get('p'), e.code).catch(() => {});
      } catch (err) {
        break;  // no signal: the next try comes with the `online` event, a page open or the timer
      }
    }
  }).catch(() => {}).then(() => { busy = null; }));
  return {CACHE, all, put, drop, keep, send};
})();

if (self.document) {
  const box = document.getElementById('offline'), say = box.dataset, main = document.querySelector('main');
  const form = document.querySelector('form[data-version]'), mine = main.dataset.keep, code = main.dataset.code;
  const el = (tag, text, props) => Object.assign(document.createElement(tag), {textContent: text}, props);
  const save = async () => {
    const doc = {format: 'caunoi-offline-queue', saved: Date.now(), entries: await CN.all()};
    const a = el('a', '', {download: 'cau-noi-hang-cho-' + new Date().toISOString().slice(0, 10) + '.json',
      href: URL.createObjectURL(new Blob([JSON.stringify(doc)], {type: 'application/json'}))});
    document.body.append(a);
    a.click();
    a.remove();
  };
  const show = async () => {
    const n = (await CN.all()).length;
    box.hidden = !n;
    box.replaceChildren(el('p', say.waiting.replace('{n}', n)), el('button', say.file, {type: 'button', className: 'sec', onclick: save}));
  };
  const tick = () => CN.send().then(show, show);
  const sw = 'serviceWorker' in navigator ? navigator.serviceWorker.register('/t/sw.js').catch(() => null) : Promise.resolve(null);
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
  // The server answered this page's form: it no longer waits here.
  (main.dataset.receipt ? CN.drop(main.dataset.receipt) : Promise.resolve()).then(tick, tick);
  addEventListener('online', tick);
  setInterval(tick, 60000);
  // Her own page opened with signal (her link, her QR, her typed code): keep her form and the
  // start page for later without signal. The start page lists nobody, so a shared phone keeps
  // the forms of those who opened theirs on it.
  if (mine && navigator.onLine && self.caches) (async () => {
    const c = await caches.open(CN.CACHE), base = location.pathname;
    if (!(await c.match(base))) await c.add(base);
    if (!(await c.match(base + '?p=' + mine)) || !(await c.match(base + '?code=' + encodeURIComponent(code)))) await CN.keep(base, mine, code);
  })().catch(() => {});
  if (form) form.addEventListener('submit', async ev => {
    const b = ev.submitter;
    if (b && b.value !== 'submit') return;  // Back / Next of one question per screen
    ev.preventDefault();
    const fields = [...new FormData(form)];
    if (b && b.name) fields.push([b.name, b.value]);
    const e = {token: form.elements.client_token.value, url: location.pathname, fields, at: Date.now(),
      version: form.dataset.version, name: form.dataset.name, code};
    try {
      await CN.put(e);
    } catch (err) {
      return form.submit();  // no IndexedDB here (private window): the plain form post
    }
    sw.then(r => r && r.sync && r.sync.register('queue')).catch(() => {});
    if (navigator.onLine) return form.submit();  // the server's page (with its receipt) follows
    form.replaceWith(el('p', say.saved.replace('{name}', e.name), {className: 'ok'}),
      el('a', say.next, {className: 'button', href: location.pathname}));
    show();
  });
}
