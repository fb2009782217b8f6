// embed.js: on an article's own page, the episode that voices it. The site adds one tag to its
// template; on a page whose address is an episode's article, a player appears (in the page's
// [data-articast-player] element, else before the article's first paragraph); elsewhere nothing
// happens. No cookies, no third-party code, no requests but to the show's own files.
var SCRIPT = document.currentScript;
var HOME = new URL('.', SCRIPT && SCRIPT.src ? SCRIPT.src : location.href);

// An address as it is compared: no scheme, "www.", trailing slash, fragment or tracking parameters.
function plain(address, keepQuery) {
  var url;
  try { url = new URL(address, document.baseURI); } catch (error) { return ''; }
  var query = '';
  if (keepQuery) {
    var params = [];
    url.searchParams.forEach(function (value, key) {
      if (!/^(utm_|fbclid$|gclid$|mc_|ref$)/.test(key)) params.push(key + '=' + value);
    });
    query = params.length ? '?' + params.join('&') : '';
  }
  var path = url.pathname.replace(/\/(index\.html?)?$/, '');
  return url.hostname.replace(/^www\./, '') + (url.port ? ':' + url.port : '') + path + query;
}

function pageAddress() {
  var canonical = document.querySelector('link[rel~="canonical"][href]');
  if (canonical) return canonical.href;
  var og = document.querySelector('meta[property="og:url"][content]');
  if (og) return og.getAttribute('content');
  return location.origin + location.pathname;
}

function findEpisode(episodes) {
  var here = pageAddress(), found = null;
  [true, false].forEach(function (keepQuery) {
    var key = plain(here, keepQuery);
    if (found || !key) return;
    episodes.forEach(function (episode) {
      if (!found && episode.link && plain(episode.link, keepQuery) === key) found = episode;
    });
  });
  return found;
}

function parseVtt(text) {
  var cues = [];
  text.replace(/\r/g, '').split(/\n\s*\n/).forEach(function (block) {
    var lines = block.split('\n');
    for (var i = 0; i < lines.length; i++) {
      var m = /^(\d+):(\d\d):(\d\d)\.(\d{3}) --> (\d+):(\d\d):(\d\d)\.(\d{3})/.exec(lines[i]);
      if (m) {
        var at = function (k) { return +m[k] * 3600 + +m[k + 1] * 60 + +m[k + 2] + +m[k + 3] / 1000; };
        cues.push({start: at(1), end: at(5), text: lines.slice(i + 1).join(' ').trim()});
        break;
      }
    }
  });
  return cues;
}

function element(tag, attributes, children) {
  var el = document.createElement(tag);
  Object.keys(attributes || {}).forEach(function (name) {
    if (name === 'text') el.textContent = attributes[name]; else el.setAttribute(name, attributes[name]);
  });
  (children || []).forEach(function (child) { el.appendChild(child); });
  return el;
}

function svg(name, cls) {
  var ns = 'http://www.w3.org/2000/svg', el = document.createElementNS(ns, 'svg'), path = document.createElementNS(ns, 'path');
  el.setAttribute('viewBox', '0 0 24 24');
  el.setAttribute('aria-hidden', 'true');
  el.setAttribute('focusable', 'false');
  if (cls) el.setAttribute('class', cls);
  path.setAttribute('d', CONFIG.icons[name]);
  el.appendChild(path);
  return el;
}

// The words of the host page, as compared with the words spoken: letters and digits, lower case.
function tokens(text) { return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) || []); }

// The host page's blocks of text (paragraphs, list items, headings), in order.
function hostBlocks(container, host) {
  var blocks = [];
  container.querySelectorAll('p, li, h1, h2, h3, h4, h5, h6, blockquote, figcaption, dd').forEach(function (el) {
    if (host.contains(el) || el.contains(host) || el.querySelector('p, li')) return;
    var words = tokens(el.textContent);
    if (words.length) blocks.push({el: el, words: new Set(words)});
  });
  return blocks;
}

// Each sentence's block: the next one (in reading order) that holds most of its words.
function matchBlocks(cues, blocks) {
  var at = 0;
  return cues.map(function (cue) {
    var words = tokens(cue.text), best = -1, bestScore = 0.5;
    if (!words.length) return null;
    for (var i = at; i < Math.min(blocks.length, at + 12); i++) {
      var hits = words.filter(function (w) { return blocks[i].words.has(w); }).length / words.length;
      if (hits > bestScore + 0.001) { best = i; bestScore = hits; }
    }
    if (best < 0) return null;
    at = best;
    return blocks[best].el;
  });
}

// Whether the host page is dark where the player goes: the embed takes the page's scheme, not the
// reader's setting, so a light blog gets a light player.
function hostIsDark(el) {
  for (; el && el.nodeType === 1; el = el.parentElement) {
    var m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(getComputedStyle(el).backgroundColor);
    if (m && (m[4] === undefined || +m[4] > 0.5)) return 0.2126 * m[1] + 0.7152 * m[2] + 0.0722 * m[3] < 128;
  }
  var scheme = getComputedStyle(document.documentElement).colorScheme || '';
  return /dark/.test(scheme) && !/light/.test(scheme) ||
    (/dark/.test(scheme) && window.matchMedia && matchMedia('(prefers-color-scheme: dark)').matches);
}

function insertionPoint() {
  var slot = document.querySelector('[data-articast-player]');
  if (slot) return {host: slot, container: slot.closest('article, main') || document.body};
  var container = document.querySelector('article') || document.querySelector('main') || document.body;
  var first = container.querySelector('p');
  if (!first) return null;
  var host = document.createElement('articast-player');  // a name no site's rule for div or section matches
  first.parentNode.insertBefore(host, first);
  return {host: host, container: container};
}

function build(episode, cues) {
  var language = (episode.language || '').split('-')[0].toLowerCase();
  var words = CONFIG.words[language] || CONFIG.words[CONFIG.language], place = insertionPoint();
  if (!place) return;
  var host = place.host, root;
  try { root = host.shadowRoot || host.attachShadow({mode: 'open'}); } catch (error) {
    host = element('articast-player');
    place.host.appendChild(host);
    root = host.attachShadow({mode: 'open'});
  }
  host.setAttribute('data-articast-embed', '');
  var style = element('style', {text: CSS});
  var audio = element('audio', {preload: 'metadata', src: new URL(episode.slug + '.mp3', HOME).href});
  var minutes = Math.max(1, Math.round(episode.duration_s / 60));
  var seek = element('input', {class: 'ac-seek', type: 'range', min: '0', max: String(Math.max(1, episode.duration_s)),
                               step: '1', value: '0', 'aria-label': words.seek});
  var speed = element('select', {class: 'ac-speed'}, SPEEDS.map(function (rate) {
    return element('option', {value: String(rate), text: rate + '\u00d7'});
  }));
  var follow = element('button', {class: 'ac-button ac-follow', type: 'button', 'aria-pressed': 'false',
                                  text: words.follow});
  var transcript = element('div', {class: 'ac-transcript', role: 'group', 'aria-label': words.transcript});
  var status = element('p', {class: 'ac-status', role: 'status'});
  // As on the show page: a paragraph ends at a pause of half a second or more; chapter titles are headings.
  var paragraph = null, previous = null;
  function isHeading(cue) {
    return (episode.chapters || []).some(function (c) {
      return c.title === cue.text && cue.start - c.start >= 0 && cue.start - c.start < 2;
    });
  }
  cues.forEach(function (cue) {
    var link = element('a', {class: 'ac-s', href: '#t=' + cue.start.toFixed(3), 'data-start': cue.start.toFixed(3),
                             'data-end': cue.end.toFixed(3), text: cue.text});
    if (isHeading(cue)) {
      transcript.appendChild(element('h3', {}, [link]));
      paragraph = null;
    } else if (!paragraph || (previous && cue.start - previous.end >= 0.5)) {
      paragraph = element('p', {}, [link]);
      transcript.appendChild(paragraph);
    } else {
      paragraph.appendChild(document.createTextNode(' '));
      paragraph.appendChild(link);
    }
    previous = cue;
  });
  var title = element('p', {class: 'ac-title', text: episode.title});
  var box = element('section', {class: 'ac-theme ac-card ac-embed ' + (hostIsDark(host) ? 'ac-dark' : 'ac-light'), 'aria-label': words.listen,
                                'data-duration': String(episode.duration_s), lang: episode.language || CONFIG.language}, [
    element('div', {class: 'ac-head'}, [
      element('p', {class: 'ac-kicker', text: words.listen + ' \u00b7 ' + fill(words.minutes, minutes)}), title]),
    element('div', {class: 'ac-controls', hidden: ''}, [
      element('button', {class: 'ac-play', type: 'button', 'aria-label': words.play},
              [svg('play', 'ac-i-play'), svg('pause', 'ac-i-pause')]),
      element('div', {class: 'ac-bar'}, [seek, element('div', {class: 'ac-times'}, [
        element('span', {class: 'ac-now', text: '0:00'}),
        element('span', {class: 'ac-length', text: clock(episode.duration_s)})])]),
      element('div', {class: 'ac-buttons'}, [
        element('button', {class: 'ac-button ac-back', type: 'button', 'aria-label': words.back},
                [svg('back'), document.createTextNode('15')]),
        element('button', {class: 'ac-button ac-forward', type: 'button', 'aria-label': words.forward},
                [svg('forward'), document.createTextNode('30')]),
        element('label', {class: 'ac-speed-label'}, [document.createTextNode(words.speed + ' '), speed]),
        cues.length ? follow : element('span')])
    ]),
    status,
    cues.length ? element('details', {class: 'ac-details'}, [element('summary', {text: words.transcript}), transcript])
      : element('span'),
    element('p', {class: 'ac-foot'}, [
      element('a', {href: new URL(CONFIG.feed, HOME).href, text: words.subscribe}),
      document.createTextNode(' \u00b7 ' + CONFIG.title)]),
    audio
  ]);
  root.appendChild(style);
  root.appendChild(box);

  // The host page's own paragraph holding the sentence being spoken is marked, quietly.
  var blocks = matchBlocks(cues, hostBlocks(place.container, host)), marked = null;
  if (!document.querySelector('style[data-articast]')) {
    document.head.appendChild(element('style', {'data-articast': '', text:
      '[data-articast-current]{background-color:rgba(255,214,10,.2);box-shadow:0 0 0 .2em rgba(255,214,10,.2);' +
      'border-radius:.15em;transition:background-color .3s}'}));
  }
  follow.addEventListener('click', function () {
    var on = follow.getAttribute('aria-pressed') !== 'true';
    follow.setAttribute('aria-pressed', String(on));
    if (on && marked) marked.scrollIntoView({block: 'center', behavior: reducedMotion ? 'auto' : 'smooth'});
  });
  articastPlayer(box, {
    words: words, title: episode.title, show: CONFIG.title, chapters: episode.chapters || [],
    artwork: CONFIG.artwork.map(function (art) {
      return {src: new URL(art.src, HOME).href, sizes: art.sizes, type: art.type};
    }),
    onerror: function () { status.textContent = words.loadFailed; },
    onsentence: function (el, index) {
      var block = index >= 0 ? blocks[index] : null;
      if (block === marked || (!block && index >= 0)) return;
      if (marked) marked.removeAttribute('data-articast-current');
      marked = block;
      if (!marked) return;
      marked.setAttribute('data-articast-current', '');
      if (follow.getAttribute('aria-pressed') === 'true') {
        marked.scrollIntoView({block: 'center', behavior: reducedMotion ? 'auto' : 'smooth'});
      }
    }
  });
}

function start() {
  fetch(new URL('episodes.json', HOME).href, {credentials: 'omit'})
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (store) {
      var episode = store && findEpisode(store.episodes || []);
      if (!episode) return;
      if (!episode.transcript) { build(episode, []); return; }
      return fetch(new URL(episode.transcript, HOME).href, {credentials: 'omit'})
        .then(function (response) { return response.ok ? response.text() : ''; })
        .then(function (text) { build(episode, parseVtt(text)); }, function () { build(episode, []); });
    })
    .catch(function () {});
}

// Once per page, however many times the tag is there.
if (window.__articastEmbed) return;
window.__articastEmbed = true;
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
