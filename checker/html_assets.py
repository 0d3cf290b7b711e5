"""The stylesheet and script of the HTML report, as constants so their CSP hashes are fixed.

Both are inlined in the page and allowed by hash ('sha256-...'), never by 'unsafe-inline':
that works from file:// with no server, and any <script> that slips into article text
still cannot run. The script reads everything from the DOM (data-* attributes), so no
report data is ever placed inside a <script> element.
"""

from __future__ import annotations

import base64
import hashlib

STYLE = """
:root{--ink:#1d232b;--muted:#5b6572;--line:#dde2e8;--bg:#f5f6f8;--card:#fff;
--high:#b42318;--high-bg:#fde8e6;--medium:#b54708;--medium-bg:#fef0dc;--low:#175cd3;
--low-bg:#e6effc;--claim:#fff4b8;--ok:#067647;--ok-bg:#dcf5e7;--accent:#3538cd}
*{box-sizing:border-box}
html{scroll-padding-top:5.5rem}
body{margin:0;background:var(--bg);color:var(--ink);
font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
header.top{background:#111827;color:#f9fafb;padding:1.1rem 2rem 1rem}
header.top h1{margin:0;font-size:1.35rem;letter-spacing:.01em}
header.top p{margin:.25rem 0 0;color:#cbd5e1}
header.top code{color:#e0e7ff}
main{max-width:1280px;margin:0 auto;padding:1rem 2rem 3rem}
h2{font-size:1.1rem;margin:1.8rem 0 .7rem}
.summary{display:grid;grid-template-columns:repeat(auto-fit,minmax(230px,1fr));gap:.8rem;margin:1rem 0;align-items:start}
.panel{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.75rem .9rem}
.panel h3{margin:0 0 .5rem;font-size:.78rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted)}
.chips{display:flex;flex-wrap:wrap;gap:.35rem}
.chip{display:inline-flex;align-items:center;gap:.4rem;border:1px solid var(--line);background:#fff;
border-radius:999px;padding:.15rem .65rem;font:inherit;font-size:.85rem;color:var(--ink);cursor:pointer}
.chip b{font-variant-numeric:tabular-nums}
.chip:hover{border-color:var(--accent)}
.filters{position:sticky;top:0;z-index:5;display:flex;flex-wrap:wrap;align-items:end;gap:.6rem 1rem;
background:rgba(245,246,248,.96);backdrop-filter:blur(4px);border-bottom:1px solid var(--line);
padding:.6rem 0;margin:0 0 .8rem}
.filters label{display:flex;flex-direction:column;font-size:.75rem;color:var(--muted);
text-transform:uppercase;letter-spacing:.05em}
.filters select{font:inherit;font-size:.9rem;padding:.25rem .4rem;border:1px solid #c5ccd6;
border-radius:6px;background:#fff;color:var(--ink);min-width:9rem}
.filters .count{margin-left:auto;color:var(--muted);font-size:.9rem}
.keys{font-size:.82rem;color:var(--muted);margin:.2rem 0 0}
kbd{font:600 .78rem ui-monospace,monospace;border:1px solid #c5ccd6;border-bottom-width:2px;
border-radius:4px;padding:0 .3rem;background:#fff;color:var(--ink)}
.flag{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--low);
border-radius:10px;padding:.85rem 1rem 1rem;margin:0 0 1rem}
.flag.sev-high{border-left-color:var(--high)}
.flag.sev-medium{border-left-color:var(--medium)}
.story>h3{font-size:.95rem;margin:1.4rem 0 .6rem;color:var(--muted)}
.story>h3 code{font-size:.8rem}
.flag:focus{outline:3px solid var(--accent);outline-offset:2px}
.flag:target{box-shadow:0 0 0 3px var(--accent)}
.flag header{display:flex;flex-wrap:wrap;align-items:center;gap:.45rem}
.badge{display:inline-block;border-radius:5px;padding:.05rem .45rem;font-size:.75rem;font-weight:650;
text-transform:uppercase;letter-spacing:.04em;background:#eef0f3;color:var(--muted)}
.badge.sev-high{background:var(--high-bg);color:var(--high)}
.badge.sev-medium{background:var(--medium-bg);color:var(--medium)}
.badge.sev-low{background:var(--low-bg);color:var(--low)}
.badge.kind{background:#eef0f3;color:var(--ink);text-transform:none;font-weight:600;letter-spacing:0}
.badge.conf{background:#fff;border:1px solid var(--line);color:var(--muted);text-transform:none;
letter-spacing:0;font-weight:600}
.badge.conf-low{border-style:dashed}
.flag .doubt{margin:-.35rem 0 .7rem;font-size:.85rem;color:var(--muted)}
.badge.st-new{background:#ede9fe;color:#5b21b6}
.badge.st-confirmed{background:var(--ok-bg);color:var(--ok)}
.badge.st-dismissed{background:#e5e7eb;color:#4b5563;text-decoration:line-through}
.fid{margin-left:auto;font:.78rem ui-monospace,monospace;color:var(--muted);user-select:all}
.flag .explain{margin:.45rem 0 .7rem;font-size:1rem}
.evidence{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:.7rem}
.ev{margin:0;border:1px solid var(--line);border-radius:8px;padding:.6rem .75rem;background:#fcfcfd;
display:flex;flex-direction:column}
.ev figcaption{display:flex;justify-content:space-between;gap:.5rem;font-size:.8rem;color:var(--muted);margin-bottom:.35rem}
.ev figcaption strong{color:var(--ink)}
.ev blockquote{margin:0;flex:1;font-family:Georgia,"Times New Roman",serif;font-size:.98rem;line-height:1.5}
.ev .ctx{color:#8a94a3}
mark.hit{background:#ffe58a;color:inherit;border-radius:3px;padding:0 .1rem}
mark.hit .key{background:#ffb020;border-radius:3px;padding:0 .1rem;font-weight:700}
.ev a.jump{align-self:flex-start;margin-top:.45rem;font-size:.82rem;color:var(--accent)}
.note{margin:.6rem 0 0;font-size:.9rem;color:var(--muted)}
.note:empty{display:none}
.review-form{display:flex;flex-wrap:wrap;gap:.45rem;align-items:center;margin-top:.75rem;
padding-top:.65rem;border-top:1px dashed var(--line)}
.review-form input{flex:1 1 16rem;font:inherit;font-size:.9rem;padding:.3rem .5rem;border:1px solid #c5ccd6;border-radius:6px}
.review-form button{font:inherit;font-size:.88rem;padding:.3rem .8rem;border-radius:6px;border:1px solid #c5ccd6;
background:#fff;color:var(--ink);cursor:pointer}
.review-form button.confirm{background:var(--ok);border-color:var(--ok);color:#fff}
.review-form button.dismiss{background:#374151;border-color:#374151;color:#fff}
.review-form button:focus-visible,.chip:focus-visible,select:focus-visible,a:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.review-form output{font-size:.85rem;color:var(--muted)}
.hint{font-size:.85rem;color:var(--muted);margin:.6rem 0 0}
.empty{padding:1.2rem;text-align:center;color:var(--muted)}
.art{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem 1.2rem;margin:0 0 1rem}
.art h3{margin:0;font-size:1.05rem}
.art .meta{font-size:.83rem;color:var(--muted);margin:.15rem 0 .7rem}
.art .text{white-space:pre-wrap;font-family:Georgia,"Times New Roman",serif;font-size:1rem;line-height:1.65;
max-width:75ch;overflow-wrap:anywhere}
mark.claim{background:var(--claim);color:inherit;border-radius:2px}
mark.claim.flagged{background:#ffd9a8;box-shadow:inset 0 -2px 0 var(--medium)}
mark.claim.flagged.sev-high{background:#ffc9c2;box-shadow:inset 0 -2px 0 var(--high)}
mark.plain{background:none}
mark.plain.flagged{background:#ffd9a8}
mark.plain.flagged.sev-high{background:#ffc9c2}
.anchor:target+mark{outline:3px solid var(--accent);outline-offset:1px}
a.flagref{font:600 .68rem system-ui,sans-serif;vertical-align:super;text-decoration:none;
border-radius:4px;padding:0 .25rem;margin:0 .1rem;background:var(--low-bg);color:var(--low);white-space:nowrap}
a.flagref.sev-high{background:var(--high-bg);color:var(--high)}
a.flagref.sev-medium{background:var(--medium-bg);color:var(--medium)}
.legend{font-size:.83rem;color:var(--muted)}
.legend mark{padding:0 .3rem}
table.problems{border-collapse:collapse;font-size:.9rem}
table.problems td{border-top:1px solid var(--line);padding:.3rem .6rem}
#help[hidden]{display:none}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
@media print{
body{background:#fff;font-size:10.5pt}
header.top{background:#fff;color:#000;border-bottom:2px solid #000;padding:0 0 .4rem}
header.top p,header.top code{color:#000}
main{padding:0;max-width:none}
.filters,.review-form,.keys,a.jump,#help{display:none!important}
.chip{border:0;padding:0 .6rem 0 0}
.summary{display:block}.panel{border:0;padding:0}
.flag{break-inside:avoid;border:1px solid #999;border-left-width:5px}
.ev{break-inside:avoid;background:#fff}
.flag[hidden],.story[hidden]{display:none}
#articles{break-before:page}
.art{border:0;padding:0}
mark.claim{background:none;text-decoration:underline dotted}
mark.claim.flagged,mark.plain.flagged{background:none;text-decoration:underline;text-decoration-thickness:2px}
a{color:inherit}
}
"""

SCRIPT = """
(function () {
  'use strict';
  var doc = document;
  var serveToken = (doc.querySelector('meta[name="checker-token"]') || {}).content || '';
  var flags = Array.prototype.slice.call(doc.querySelectorAll('section#flags .flag'));
  var form = doc.getElementById('filters');
  var live = doc.getElementById('live');
  if (!form) { return; }
  function field(name) { return form.elements.namedItem(name); }
  function matches(f) {
    var k = field('kind').value, s = field('severity').value;
    var a = field('article').value, st = field('status').value;
    var c = field('confidence').value;
    if (k && f.dataset.kind !== k) { return false; }
    if (s && f.dataset.severity !== s) { return false; }
    if (c && f.dataset.confidence !== c) { return false; }
    if (a && (' ' + f.dataset.articles + ' ').indexOf(' ' + a + ' ') < 0) { return false; }
    if (st === 'open') { return f.dataset.status !== 'dismissed'; }
    return st === 'all' || f.dataset.status === st;
  }
  function apply() {
    var shown = 0;
    flags.forEach(function (f) { f.hidden = !matches(f); if (!f.hidden) { shown += 1; } });
    doc.querySelectorAll('section#flags .story').forEach(function (s) {
      s.hidden = !s.querySelector('.flag:not([hidden])');
    });
    doc.getElementById('shown').textContent = shown + ' of ' + flags.length + ' flags shown';
    var none = doc.getElementById('none-shown');
    if (none) { none.hidden = shown !== 0; }
  }
  form.addEventListener('change', apply);
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  doc.querySelectorAll('button[data-filter]').forEach(function (b) {
    b.addEventListener('click', function () {
      var sel = field(b.dataset.filter);
      sel.value = sel.value === b.dataset.value ? '' : b.dataset.value;
      apply();
      var first = flags.filter(function (f) { return !f.hidden; })[0];
      if (first) { first.focus(); }
    });
  });
  function reveal() {
    var id = location.hash.slice(1);
    var target = id && doc.getElementById(id);
    if (target && target.classList.contains('flag') && target.hidden) {
      ['kind', 'severity', 'confidence', 'article'].forEach(function (n) { field(n).value = ''; });
      field('status').value = 'all';
      apply();
      target.scrollIntoView();
    }
    if (target && target.classList.contains('flag')) { target.focus({preventScroll: true}); }
  }
  window.addEventListener('hashchange', reveal);
  function visibleFlags() { return flags.filter(function (f) { return !f.hidden; }); }
  function current() {
    var el = doc.activeElement;
    while (el && el !== doc.body) {
      if (el.classList && el.classList.contains('flag')) { return el; }
      el = el.parentNode;
    }
    return null;
  }
  function move(step) {
    var list = visibleFlags();
    if (!list.length) { return; }
    var i = list.indexOf(current());
    var next = list[i < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, i + step))];
    next.focus();
    next.scrollIntoView({block: 'nearest'});
  }
  function say(text) { if (live) { live.textContent = text; } }
  function setStatus(f, status, note) {
    f.dataset.status = status;
    var badge = f.querySelector('.badge.st');
    badge.className = 'badge st st-' + status;
    badge.textContent = status;
    f.querySelector('.note').textContent = note ? 'Note: ' + note : '';
  }
  function decide(f, action) {
    var input = f.querySelector('input[name="note"]');
    var body = JSON.stringify({flag_id: f.dataset.id, action: action, note: input ? input.value : ''});
    return fetch('api/review', {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-Checker-Token': serveToken},
      body: body
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error(data.error || ('HTTP ' + r.status)); }
        return data;
      });
    }).then(function (data) {
      setStatus(f, data.review, data.note);
      var out = f.querySelector('.review-form output');
      if (out) { out.textContent = 'Saved: ' + data.review; }
      say('Flag ' + data.id.slice(0, 8) + ' ' + data.review + '.');
      if (!matches(f)) {
        var list = visibleFlags(), i = list.indexOf(f);
        apply();
        var after = visibleFlags();
        var next = after[Math.min(i, after.length - 1)];
        if (next) { next.focus(); }
      }
    }).catch(function (err) {
      var out = f.querySelector('.review-form output');
      if (out) { out.textContent = 'Not saved: ' + err.message; }
      say('Not saved: ' + err.message);
    });
  }
  doc.querySelectorAll('form.review-form').forEach(function (rf) {
    rf.addEventListener('submit', function (e) {
      e.preventDefault();
      var action = e.submitter ? e.submitter.value : 'confirmed';
      decide(rf.closest('.flag'), action);
    });
  });
  var help = doc.getElementById('help');
  doc.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var tag = (e.target.tagName || '').toLowerCase();
    if (tag === 'input' || tag === 'textarea' || tag === 'select') {
      if (e.key === 'Escape') { e.target.blur(); }
      return;
    }
    var f = current();
    switch (e.key) {
      case 'j': move(1); break;
      case 'k': move(-1); break;
      case '/': e.preventDefault(); field('kind').focus(); break;
      case '?': if (help) { help.hidden = !help.hidden; } break;
      case 'a': if (f) { var j = f.querySelector('a.jump'); if (j) { j.click(); } } break;
      case 'n': if (f && serveToken) { e.preventDefault(); f.querySelector('input[name="note"]').focus(); } break;
      case 'c': if (f && serveToken) { decide(f, 'confirmed'); } break;
      case 'd': if (f && serveToken) { decide(f, 'dismissed'); } break;
      case 'u': if (f && serveToken) { decide(f, 'reopen'); } break;
      default: return;
    }
  });
  apply();
  reveal();
}());
"""


def csp_hash(source: str) -> str:
    """The CSP source expression that allows exactly this inline script or style."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(*, serve: bool) -> str:
    """Nothing loads but the page's own inline script and style (and, served, its API)."""
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {csp_hash(SCRIPT)}",
            f"style-src {csp_hash(STYLE)}",
            "img-src data:",
            "connect-src 'self'" if serve else "connect-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
