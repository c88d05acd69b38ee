"""Web-sized renditions of post images: what the media cache stores instead of the fetched file.

A phone photo is 2–5 MB at 4000×3000 and carries EXIF (camera, time, often GPS). The site serves
each image to phones and GitHub Pages holds 1 GB, so an image is decoded once, turned upright
(EXIF orientation), converted to sRGB, scaled to fit a maximum width (never up) and encoded anew,
which leaves every metadata block behind. Photos become WebP; PNG and GIF stay lossless PNG while
that fits the byte budget (screenshots, drawings, text). An animated image keeps its first frame:
motion would cost many times the bytes, and it stays one click away on the original post.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# Pixels we are willing to decode (after a JPEG's own downscaled decoding). Far above any camera
# photo within the fetch size cap; a small file claiming more is a decompression bomb. Kept under
# Pillow's MAX_IMAGE_PIXELS (89 M), which warns above it and refuses twice that.
MAX_PIXELS = 40_000_000
LOSSLESS_SOURCES = {"PNG", "GIF"}
QUALITIES = (80, 65, 50)  # WebP; 80 is the usual web photo setting, 50 still reads well on a phone
SHRINK = 0.8              # each step of the budget ladder narrows the image by this much
MIN_WIDTH = 160           # narrower than this an image says nothing: give up instead
MAX_SIDE = 16383          # WebP's largest side: a tall infographic is narrowed to stay under it
_SRGB = ImageCms.createProfile("sRGB")


class UnusableImage(ValueError):
    """The bytes cannot become a rendition; the message is the one-line reason to record."""


@dataclass(frozen=True)
class Rendition:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def render_image(data: bytes, max_width: int, max_bytes: int) -> Rendition:
    """An upright, metadata-free rendition of ``data`` at most ``max_width`` pixels wide and
    ``max_bytes`` long. Raises UnusableImage for a bomb, a corrupt or truncated file, or one that
    cannot fit the budget."""
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError:
        raise UnusableImage("unreadable image: the bytes are in no image format Pillow reads") from None
    except Image.DecompressionBombError as exc:
        raise UnusableImage(_reason("decompression bomb", exc, named=False)) from None
    except Exception as exc:  # Pillow raises many kinds for hostile bytes
        raise UnusableImage(_reason("unreadable image", exc)) from None
    source_format = image.format or ""
    try:
        upright = _decode_upright(image, max_width)
    except UnusableImage:
        raise
    except Exception as exc:  # truncated or corrupt data shows only while decoding
        raise UnusableImage(_reason("corrupt or truncated image", exc)) from None
    finally:
        image.close()
    try:
        return _encode_within(upright, max_width, max_bytes, source_format in LOSSLESS_SOURCES)
    except UnusableImage:
        raise
    except Exception as exc:  # an encoder refusing what it was given is this image's fault, not the run's
        raise UnusableImage(_reason("cannot encode the rendition", exc)) from None


def _reason(what: str, exc: Exception, named: bool = True) -> str:
    """One line, as short as a ``media_files.error`` should be."""
    detail = f"{type(exc).__name__}: {exc}" if named else str(exc)
    return " ".join(f"{what}: {detail}".split())[:200]


def _decode_upright(image: Image.Image, max_width: int) -> Image.Image:
    """Decode the first frame, upright, in sRGB, at most a little wider than ``max_width``."""
    quarter_turn = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)  # EXIF orientation: sides swap
    shown_width = image.height if quarter_turn else image.width
    if image.format == "JPEG" and shown_width > max_width:
        # libjpeg decodes at 1/2, 1/4 or 1/8 directly: a 12 MP photo never fills memory in full.
        scale = max_width / shown_width
        image.draft(None, (max(1, int(image.width * scale)), max(1, int(image.height * scale))))
    if image.width * image.height > MAX_PIXELS:
        raise UnusableImage(f"decompression bomb: {image.width}×{image.height} pixels is over the limit "
                            f"of {MAX_PIXELS:,} (a small file claiming a huge picture)")
    image.load()
    icc = image.info.get("icc_profile")
    upright = ImageOps.exif_transpose(image) or image
    has_alpha = upright.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in upright.info
    mode = "RGBA" if has_alpha else "RGB"
    converted = _to_srgb(upright, icc, mode) if icc else None
    upright = converted or upright.convert(mode)
    upright.info = {}  # nothing of the source's metadata may reach an encoder (EXIF, XMP, ICC, text)
    return upright


def _to_srgb(image: Image.Image, icc: bytes, mode: str) -> Image.Image | None:
    """The pixels converted from their embedded colour profile to sRGB, which an untagged image is
    taken to be (a Display P3 phone photo would otherwise look washed out); None when the profile
    cannot be used (then the plain conversion stands)."""
    if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return None
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None


def _encode_within(image: Image.Image, max_width: int, max_bytes: int, lossless: bool) -> Rendition:
    """The first encoding that fits ``max_bytes``: lossless PNG at full width (PNG/GIF sources),
    else WebP at falling quality, then narrower, down to MIN_WIDTH."""
    width = max(1, min(image.width, max_width, image.width * MAX_SIDE // image.height))
    first = _scaled(image, width)
    if lossless:
        data = _save(first, "PNG")
        if len(data) <= max_bytes:
            return Rendition(data, "image/png", "png", first.width, first.height)
    scaled = first
    while True:
        for quality in QUALITIES:
            data = _save(scaled, "WEBP", quality=quality)
            if len(data) <= max_bytes:
                return Rendition(data, "image/webp", "webp", scaled.width, scaled.height)
            if len(data) > 2.5 * max_bytes:
                break  # lower quality saves at most about half: narrow the image instead
        width = int(width * SHRINK)
        if width < MIN_WIDTH:
            raise UnusableImage(f"over the image budget of {max_bytes} bytes even at {scaled.width} px wide")
        scaled = _scaled(image, width)


def _scaled(image: Image.Image, width: int) -> Image.Image:
    if width >= image.width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.LANCZOS)


def _save(image: Image.Image, kind: str, **options) -> bytes:
    # Saving a fresh image writes no EXIF, XMP, ICC or text chunks: nothing is passed on.
    out = io.BytesIO()
    if kind == "WEBP":
        image.save(out, "WEBP", method=4, **options)
    else:
        image.save(out, "PNG", optimize=False, compress_level=9)
    return out.getvalue()
