"""Render demo posts in each platform's own format, modelled on the real services."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timezone
from email.utils import format_datetime
from html import escape
from urllib.parse import quote

from babel.dates import format_date

from marathon.demo.content import DemoPost

HASHTAG = re.compile(r"#([\w\u0900-\u097F]+)", re.UNICODE)
BABEL_LOCALE = {"uz": "uz_Latn", "hy": "hy", "kk": "kk", "ky": "ky", "ru": "ru", "az": "az", "hi": "hi", "en": "en"}


def image_url(base: str, post: DemoPost) -> str:
    return f"{base}/media/{post.source_id}/{quote(post.id)}.svg"


def placeholder_svg(label: str) -> bytes:
    """An 800×450 picture standing in for a photo, coloured from its label."""
    hue = int(hashlib.md5(label.encode()).hexdigest()[:2], 16) * 360 // 256
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="800" height="450" viewBox="0 0 800 450">'
            f'<rect width="800" height="450" fill="hsl({hue},55%,45%)"/>'
            f'<circle cx="400" cy="200" r="90" fill="hsl({(hue + 40) % 360},60%,70%)"/>'
            f'<rect x="160" y="320" width="480" height="24" rx="12" fill="#fff" opacity=".7"/></svg>').encode()


def _linkify(text: str, tag_href) -> str:
    parts = []
    last = 0
    for match in HASHTAG.finditer(text):
        parts.append(escape(text[last:match.start()]))
        parts.append(f'<a href="{escape(tag_href(match.group(1)))}">#{escape(match.group(1))}</a>')
        last = match.end()
    parts.append(escape(text[last:]))
    return "".join(parts)


def article_html(post: DemoPost, tag_href=lambda t: f"/tag/{quote(t)}") -> str:
    return "".join(f"<p>{_linkify(p, tag_href)}</p>" for p in post.paragraphs)


def rss_feed(base: str, path: str, title: str, posts: list[DemoPost]) -> str:
    items = []
    for post in reversed(posts):
        link = f"{base}{path.rsplit('/', 1)[0]}/{quote(post.id)}.html"
        enclosure = (f'<enclosure url="{image_url(base, post)}" type="image/svg+xml" length="0"/>'
                     f'<media:content url="{image_url(base, post)}" medium="image" width="800" height="450">'
                     f'<media:description>{escape(post.image)}</media:description></media:content>'
                     if post.image else "")
        categories = "".join(f"<category>{escape(t)}</category>" for t in HASHTAG.findall(post.text))
        items.append(f"""<item><title>{escape(post.title)}</title><link>{link}</link>
<guid isPermaLink="false">{escape(post.source_id)}-{escape(post.id)}</guid>
<pubDate>{format_datetime(post.date)}</pubDate>{f'<author>{escape(post.author)}</author>' if post.author else ''}
{categories}<description>{escape(article_html(post))}</description>{enclosure}</item>""")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            f'xmlns:media="http://search.yahoo.com/mrss/"><channel><title>{escape(title)}</title>'
            f'<link>{base}/</link><description>{escape(title)}</description>\n' + "\n".join(items) + "</channel></rss>")


def atom_feed(base: str, path: str, title: str, posts: list[DemoPost], lang: str) -> str:
    entries = []
    for post in reversed(posts):
        link = f"{base}{path.rsplit('/', 1)[0]}/{quote(post.id)}.html"
        media = (f'<link rel="enclosure" type="image/svg+xml" href="{image_url(base, post)}" title="{escape(post.image)}"/>'
                 if post.image else "")
        cats = "".join(f'<category term="{escape(t)}"/>' for t in HASHTAG.findall(post.text))
        entries.append(f"""<entry><id>urn:demo:{escape(post.source_id)}:{escape(post.id)}</id>
<title>{escape(post.title)}</title><link rel="alternate" href="{link}"/>{media}
<published>{post.date.isoformat()}</published><updated>{post.date.isoformat()}</updated>
<author><name>{escape(post.author or title)}</name></author>{cats}
<content type="html">{escape(article_html(post))}</content></entry>""")
    updated = posts[-1].date.isoformat() if posts else "2020-01-01T00:00:00Z"
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">'
            f'<title>{escape(title)}</title><id>{base}{path}</id><updated>{updated}</updated>'
            f'<link rel="self" href="{base}{path}"/>\n' + "\n".join(entries) + "</feed>")


def _page(title: str, lang: str, body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'{head}</head><body><header class="site-header"><nav><a href="/">Home</a></nav></header>'
            f'<main>{body}</main><footer>© {escape(title)}</footer></body></html>')


def website_listing(base: str, path: str, title: str, posts: list[DemoPost], page: int, per_page: int, lang: str) -> str:
    newest = list(reversed(posts))
    chunk = newest[(page - 1) * per_page: page * per_page]
    items = "".join(
        f'<article class="news-item"><h2 class="news-title"><a href="{path}{quote(p.id)}/">{escape(p.title)}</a></h2>'
        f'<span class="news-date">{escape(format_date(p.date, "long", locale=BABEL_LOCALE.get(p.lang, "en")))}</span>'
        f'<p class="news-lead">{escape(p.paragraphs[0][:160])}</p></article>' for p in chunk)
    pager = ""
    if page > 1:
        pager += f'<a class="prev" rel="prev" href="{path}?page={page - 1}">←</a>'
    if page * per_page < len(newest):
        pager += f'<a class="next" rel="next" href="{path}?page={page + 1}">→</a>'
    return _page(title, lang, f'<h1>{escape(title)}</h1><div class="news-list">{items}</div>'
                              f'<nav class="pagination">{pager}</nav>')


def website_article(base: str, path: str, title: str, post: DemoPost) -> str:
    url = f"{base}{path}{quote(post.id)}/"
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": post.title,
          "datePublished": post.date.isoformat(), "inLanguage": post.lang,
          "author": {"@type": "Person", "name": post.author} if post.author else {"@type": "Organization", "name": title}}
    if post.image:
        ld["image"] = image_url(base, post)
    head = (f'<meta property="og:title" content="{escape(post.title)}"><meta property="og:url" content="{url}">'
            f'<meta property="og:type" content="article">'
            + (f'<meta property="og:image" content="{image_url(base, post)}">' if post.image else "")
            + f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>')
    image = (f'<figure><img src="{image_url(base, post)}" alt="{escape(post.image)}" width="800" height="450"></figure>'
             if post.image else "")
    body = (f'<article class="post"><h1 class="entry-title">{escape(post.title)}</h1>'
            f'<time class="entry-date" datetime="{post.date.isoformat()}">'
            f'{escape(format_date(post.date, "long", locale=BABEL_LOCALE.get(post.lang, "en")))}</time>'
            + (f'<span class="byline">{escape(post.author)}</span>' if post.author else "")
            + f'{image}<div class="entry-content">{article_html(post)}</div></article>'
            f'<aside class="sidebar"><h3>Related</h3><ul><li>Contacts</li></ul></aside>')
    return _page(post.title, post.lang, body, head)


def telegram_page(base: str, channel: str, title: str, posts: list[DemoPost], before: int | None, per_page: int = 20) -> str:
    """A ``/s/<channel>`` preview page: oldest first, the newest ``per_page`` before ``before``."""
    visible = [p for p in posts if before is None or int(p.id) < before]
    chunk = visible[-per_page:]
    messages = []
    for post in chunk:
        post_link = f"{base}/{channel}/{post.id}"
        text = "<br/>".join(_linkify(p, lambda t: f"?q=%23{quote(t)}") for p in post.paragraphs)
        photo = (f'<a class="tgme_widget_message_photo_wrap" href="{post_link}?single" '
                 f"style=\"width:800px;background-image:url('{image_url(base, post)}')\">"
                 f'<div class="tgme_widget_message_photo" style="padding-top:56.25%"></div></a>' if post.image else "")
        views = 200 + int(hashlib.md5(post.id.encode()).hexdigest()[:4], 16) % 9000
        utc = post.date.astimezone(timezone.utc).isoformat()
        messages.append(f"""<div class="tgme_widget_message_wrap js-widget_message_wrap"><div class="tgme_widget_message text_not_supported_wrap js-widget_message" data-post="{channel}/{post.id}" data-view="x">
<div class="tgme_widget_message_user"><a href="{base}/{channel}"><i class="tgme_widget_message_user_photo"></i></a></div>
<div class="tgme_widget_message_bubble"><div class="tgme_widget_message_author accent_color"><a class="tgme_widget_message_owner_name" href="{base}/{channel}"><span dir="auto">{escape(title)}</span></a></div>
{photo}<div class="tgme_widget_message_text js-message_text" dir="auto">{text}</div>
<div class="tgme_widget_message_footer compact js-message_footer"><div class="tgme_widget_message_info short js-message_info"><span class="tgme_widget_message_views">{views / 1000:.1f}K</span><span class="copyonly"> views</span><span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" href="{post_link}"><time datetime="{utc}" class="time">{post.date:%H:%M}</time></a></span></div></div>
</div></div></div>""")
    prev = ""
    if chunk and len(visible) > len(chunk):
        prev = f'<link rel="prev" href="/s/{channel}?before={chunk[0].id}">'
    head = (f'<meta property="og:title" content="{escape(title)}">{prev}'
            f'<link rel="canonical" href="{base}/s/{channel}">')
    body = (f'<div class="tgme_channel_info"><div class="tgme_channel_info_header_title"><span dir="auto">{escape(title)}</span></div></div>'
            f'<section class="tgme_channel_history js-message_history">'
            + (f'<div class="tme_messages_more js-messages_more" data-before="{chunk[0].id}"></div>' if prev else "")
            + "".join(messages) + "</section>")
    return _page(title, "", body, head)


def mastodon_status(base: str, account_id: str, account: str, post: DemoPost) -> dict:
    tag_href = lambda t: f"{base}/tags/{quote(t)}"
    media = ([{"id": post.id + "1", "type": "image", "url": image_url(base, post), "preview_url": image_url(base, post),
               "description": post.image, "meta": {"original": {"width": 800, "height": 450}}}] if post.image else [])
    return {
        "id": post.id, "created_at": post.date.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "in_reply_to_id": None, "sensitive": False, "spoiler_text": "", "visibility": "public",
        "language": post.lang, "uri": f"{base}/users/{account}/statuses/{post.id}",
        "url": f"{base}/@{account}/{post.id}", "replies_count": 0, "reblogs_count": 3, "favourites_count": 12,
        "content": article_html(post, tag_href), "reblog": None,
        "account": {"id": account_id, "username": account, "acct": account, "display_name": post.author or account,
                    "url": f"{base}/@{account}", "noindex": False},
        "media_attachments": media, "mentions": [],
        "tags": [{"name": t.lower(), "url": tag_href(t)} for t in HASHTAG.findall(post.text)],
    }
