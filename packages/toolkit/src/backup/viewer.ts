import fs from 'node:fs';
import path from 'node:path';
import { readJson, readJsonLines, writeAtomic } from './files.js';
import { LIBRARY_SECTIONS } from './library.js';

// A static viewer: index.html plus data.js (the backup as one script, so it opens from file://
// without a server). All text is inserted with textContent: backed-up content never runs.

const HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Commonplace backup</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:">
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0;display:flex;height:100vh;color:#1c1e21}
nav{width:260px;border-right:1px solid #ddd;overflow:auto;background:#f5f6f7}
nav button{display:block;width:100%;text-align:left;border:0;background:none;padding:10px 14px;cursor:pointer;font:inherit}
nav button.on{background:#e4e6eb;font-weight:600}
main{flex:1;overflow:auto;padding:16px 24px;max-width:860px}
.post{border:1px solid #ddd;border-radius:8px;padding:12px 14px;margin:12px 0}
.meta{color:#65676b;font-size:13px}.msg{white-space:pre-wrap;margin:6px 0}
.comment{margin:8px 0 0 18px;padding-left:10px;border-left:3px solid #e4e6eb}
.poll{margin:8px 0;padding:8px 10px;background:#f5f6f7;border-radius:6px}.option{margin:4px 0}
.bar{height:6px;background:#1877f2;border-radius:3px;margin-top:2px}.canceled{color:#c00;font-weight:600}
h2{font-size:17px;margin:20px 0 4px}
img{max-width:100%;border-radius:6px}img.thumb{width:96px;height:96px;object-fit:cover;margin:4px 4px 0 0}.library li{margin:6px 0}input{width:100%;padding:6px;margin:8px 0;font:inherit}
</style></head><body><nav id="groups"></nav><main><input id="q" placeholder="Search posts, comments, polls, events, files, docs, albums and videos"><div id="view"></div></main>
<script src="data.js"></script><script src="viewer.js"></script></body></html>
`;

const SCRIPT = `(function () {
  var data = window.COMMONPLACE_BACKUP || { groups: [] };
  var nav = document.getElementById('groups'), view = document.getElementById('view'), q = document.getElementById('q');
  var current = data.groups[0];
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = text; return e; }
  function who(x) { return (x && x.from && x.from.name) || 'Unknown'; }
  function matches(p, term) {
    if (!term) return true;
    var poll = p.poll ? [p.poll.question].concat(p.poll.options.map(function (o) { return o.name; })).join(' ') : '';
    var hay = [p.post.message || '', poll].concat(p.comments.map(function (c) { return (c.message || '') + ' ' + c.replies.map(function (r) { return r.message || ''; }).join(' '); })).join(' ').toLowerCase();
    return hay.indexOf(term) >= 0;
  }
  function comment(c) {
    var box = el('div', 'comment');
    box.appendChild(el('div', 'meta', who(c) + ' · ' + (c.created_time || '')));
    box.appendChild(el('div', 'msg', c.message || ''));
    (c.replies || []).forEach(function (r) { box.appendChild(comment(r)); });
    return box;
  }
  function poll(pl) {
    var box = el('div', 'poll');
    box.appendChild(el('div', '', 'Poll: ' + pl.question + (pl.multiple_choice ? ' (several answers allowed)' : '')));
    var most = pl.options.reduce(function (m, o) { return Math.max(m, o.vote_count || 0); }, 0) || 1;
    pl.options.forEach(function (o) {
      var row = el('div', 'option');
      row.appendChild(el('div', '', o.name + ' · ' + o.vote_count + (o.vote_count === 1 ? ' vote' : ' votes') + (o.votes.length ? ' (' + o.votes.map(function (v) { return v.name || v.id; }).join(', ') + ')' : '')));
      var bar = el('div', 'bar'); bar.style.width = Math.round(100 * (o.vote_count || 0) / most) + '%'; row.appendChild(bar);
      box.appendChild(row);
    });
    return box;
  }
  var ANSWERS = [['attending', 'Going'], ['maybe', 'Maybe'], ['declined', "Can't go"], ['interested', 'Interested']];
  function eventBox(e) {
    var box = el('div', 'post'), ev = e.event;
    var title = el('div', 'msg'); title.appendChild(el('strong', '', ev.name || ''));
    if (ev.is_canceled) title.appendChild(el('span', 'canceled', '  Canceled'));
    if (ev.is_draft) title.appendChild(el('span', 'meta', '  Draft'));
    box.appendChild(title);
    box.appendChild(el('div', 'meta', (ev.start_time || '') + (ev.end_time ? ' – ' + ev.end_time : '') + ' (' + (ev.timezone || 'UTC') + ')' + (ev.place && ev.place.name ? ' · ' + ev.place.name : '') + ' · hosted by ' + ((ev.owner && ev.owner.name) || 'Unknown')));
    if (ev.description) box.appendChild(el('div', 'msg', ev.description));
    ANSWERS.forEach(function (a) {
      var guests = (e.rsvps && e.rsvps[a[0]]) || [];
      if (guests.length) box.appendChild(el('div', 'meta', a[1] + ' (' + guests.length + '): ' + guests.map(function (g) { return g.name || g.id; }).join(', ')));
    });
    return box;
  }
  function eventMatches(e, term) {
    return !term || [e.event.name || '', e.event.description || '', (e.event.place && e.event.place.name) || ''].join(' ').toLowerCase().indexOf(term) >= 0;
  }
  // Docs are HTML: parsed inert (DOMParser runs nothing) and shown as text.
  function text(html) { return new DOMParser().parseFromString(html || '', 'text/html').body.textContent || ''; }
  function local(file, label) {
    if (!file) return el('span', 'meta', label + ' (not downloaded)');
    var a = el('a', '', label); a.href = 'groups/' + current.group.id + '/' + file; return a;
  }
  function when(t) { return t ? ' · ' + t : ''; }
  function item(parts) { var li = el('li'); parts.forEach(function (p) { li.appendChild(typeof p === 'string' ? el('span', 'meta', p) : p); }); return li; }
  function library(term) {
    var has = function (s) { return !term || String(s || '').toLowerCase().indexOf(term) >= 0; };
    var sections = [
      ['Files', current.files.filter(function (f) { return has(f.name + ' ' + (f.meta.message || '')); }).map(function (f) {
        return item([local(f.file, f.name), ' · ' + who(f.meta) + when(f.meta.updated_time) + (f.meta.message ? ' · ' + f.meta.message : '')]);
      })],
      ['Docs', current.docs.filter(function (d) { return has(d.doc.subject + ' ' + text(d.doc.message)); }).map(function (d) {
        var li = item([el('strong', '', d.doc.subject || ''), ' · ' + who(d.doc) + when(d.doc.updated_time) + ' · ' + d.revisions.length + (d.revisions.length === 1 ? ' revision' : ' revisions')]);
        li.appendChild(el('div', 'msg', text(d.doc.message)));
        return li;
      })],
      ['Albums', current.albums.filter(function (a) { return has(a.album.name + ' ' + (a.album.description || '')); }).map(function (a) {
        var li = item([el('strong', '', a.album.name || ''), ' · ' + a.photos.length + ' photos' + (a.album.description ? ' · ' + a.album.description : '')]);
        var row = el('div');
        a.photos.forEach(function (p, i) { if (p.file) { var img = el('img', 'thumb'); img.src = 'groups/' + current.group.id + '/' + p.file; img.alt = p.name || ''; row.appendChild(img); } else row.appendChild(local(null, 'photo ' + (i + 1))); });
        li.appendChild(row);
        return li;
      })],
      ['Videos', current.videos.filter(function (v) { return has(v.video.title + ' ' + (v.video.description || '')); }).map(function (v) {
        return item([local(v.file, v.video.title || 'Video ' + v.id), ' · ' + who(v.video) + when(v.video.created_time) + (v.video.description ? ' · ' + v.video.description : '')]);
      })],
    ];
    sections.forEach(function (s) {
      if (!s[1].length) return;
      view.appendChild(el('h2', '', s[0]));
      var ul = el('ul', 'library'); s[1].forEach(function (li) { ul.appendChild(li); }); view.appendChild(ul);
    });
  }
  function render() {
    nav.textContent = '';
    data.groups.forEach(function (g) {
      var b = el('button', g === current ? 'on' : '', g.group.name + ' (' + g.posts.length + ')');
      b.onclick = function () { current = g; render(); };
      nav.appendChild(b);
    });
    view.textContent = '';
    if (!current) { view.appendChild(el('p', '', 'This backup holds no groups.')); return; }
    view.appendChild(el('h1', '', current.group.name));
    view.appendChild(el('p', 'meta', current.members.length + ' members · ' + current.posts.length + ' posts · ' + current.events.length + ' events · ' + current.photos.length + ' photos · ' + current.files.length + ' files · ' + current.docs.length + ' docs · ' + current.albums.length + ' albums · ' + current.videos.length + ' videos'));
    var term = q.value.trim().toLowerCase();
    library(term);
    var events = current.events.filter(function (e) { return eventMatches(e, term); });
    if (events.length) {
      view.appendChild(el('h2', '', 'Events'));
      events.forEach(function (e) { view.appendChild(eventBox(e)); });
    }
    view.appendChild(el('h2', '', 'Posts'));
    current.posts.filter(function (p) { return matches(p, term); }).forEach(function (p) {
      var box = el('div', 'post');
      box.appendChild(el('div', 'meta', who(p.post) + ' · ' + (p.post.created_time || '') + (p.reactions.length ? ' · ' + p.reactions.length + ' reactions' : '') + (p.seen.length ? ' · seen by ' + p.seen.length : '')));
      box.appendChild(el('div', 'msg', p.post.message || (p.poll ? '' : p.post.story) || ''));
      if (p.poll) box.appendChild(poll(p.poll));
      var photo = current.photos.filter(function (ph) { return ph.file && (p.post.attachments && JSON.stringify(p.post.attachments).indexOf(ph.id) >= 0); })[0];
      if (photo) { var img = el('img'); img.src = 'groups/' + current.group.id + '/' + photo.file; box.appendChild(img); }
      p.comments.forEach(function (c) { box.appendChild(comment(c)); });
      view.appendChild(box);
    });
  }
  q.oninput = render;
  render();
})();
`;

export function writeViewer(root: string): void {
  const groupsDir = path.join(root, 'groups');
  const ids = fs.existsSync(groupsDir) ? fs.readdirSync(groupsDir).sort() : [];
  const groups = ids.map((id) => {
    const dir = path.join(groupsDir, id);
    return {
      group: readJson<Record<string, unknown>>(path.join(dir, 'group.json'), { id, name: id }),
      members: readJsonLines(path.join(dir, 'members.jsonl')),
      posts: readJsonLines(path.join(dir, 'posts.jsonl')),
      events: readJsonLines(path.join(dir, 'events.jsonl')),
      photos: readJsonLines(path.join(dir, 'photos.jsonl')),
      ...Object.fromEntries(LIBRARY_SECTIONS.map((name) => [name, readJsonLines(path.join(dir, `${name}.jsonl`))])),
    };
  });
  // JSON inside a script: "</" and U+2028/9 are escaped so no content can end the script.
  const json = JSON.stringify({ generated: new Date().toISOString(), groups }).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  writeAtomic(path.join(root, 'data.js'), `window.COMMONPLACE_BACKUP = ${json};\n`);
  writeAtomic(path.join(root, 'viewer.js'), SCRIPT);
  writeAtomic(path.join(root, 'index.html'), HTML);
}
