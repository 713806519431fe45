"""The rules for an article's pictures, without AWS."""
from __future__ import annotations

import pytest

from chalicelib.domain import articles as rules
from chalicelib.domain.errors import Conflict, ValidationFailed

PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00"


def article(n=0):
    return {"articleId": "A1", "images": [{"key": f"media/articles/A1/{i}.png", "alt": "", "contentType": "image/png",
                                           "size": 10} for i in range(n)]}


def test_a_picture_is_checked_by_its_stored_size_type_and_first_bytes():
    rules.check_image({"size": 10, "contentType": "image/png"}, PNG_HEAD)
    with pytest.raises(ValidationFailed) as e:
        rules.check_image({"size": 10, "contentType": "image/png"}, b"\xff\xd8\xff\xe0")  # a JPEG called PNG
    assert e.value.code == "image_type_not_allowed"
    with pytest.raises(ValidationFailed) as e:
        rules.check_image({"size": rules.MAX_IMAGE_BYTES + 1, "contentType": "image/png"}, PNG_HEAD)
    assert e.value.code == "image_too_large"
    with pytest.raises(ValidationFailed) as e:
        rules.check_image({"size": 10, "contentType": "application/pdf"}, b"%PDF-1.7")  # evidence may, articles not
    assert e.value.code == "image_type_not_allowed"
    with pytest.raises(ValidationFailed) as e:
        rules.check_image(None, b"")
    assert e.value.code == "image_not_uploaded"


def test_keys_outside_the_articles_own_prefix_are_not_looked_at():
    assert rules.check_image_key("media/articles/A1/x.png", "A1") == "media/articles/A1/x.png"
    for bad in ["media/articles/A2/x.png", "media/articles/A1/../A2/x.png", None, 3, "media/articles/A1/" + "x" * 200]:
        with pytest.raises(ValidationFailed):
            rules.check_image_key(bad, "A1")


def test_at_most_ten_pictures_and_no_picture_twice():
    images = rules.add_image(article(9), "media/articles/A1/new.png", " 说明 ", {"size": 5, "contentType": "image/png"})
    assert len(images) == 10 and images[-1]["alt"] == "说明"
    with pytest.raises(Conflict) as e:
        rules.add_image({**article(), "images": images}, "media/articles/A1/more.png", "", {"size": 5, "contentType": "image/png"})
    assert e.value.code == "image_limit_reached"
    with pytest.raises(Conflict) as e:
        rules.add_image(article(2), "media/articles/A1/1.png", "", {"size": 5, "contentType": "image/png"})
    assert e.value.code == "image_already_recorded"
    with pytest.raises(ValidationFailed):
        rules.add_image(article(0), "media/articles/A1/x.png", "长" * 101, {"size": 5, "contentType": "image/png"})


def test_an_edit_reorders_and_drops_but_never_adds_or_repeats():
    a = article(3)
    keys = [i["key"] for i in a["images"]]
    out = rules.arrange_images(a, [{"key": keys[2], "alt": "后"}, {"key": keys[0]}])
    assert [(i["key"], i["alt"], i["size"]) for i in out] == [(keys[2], "后", 10), (keys[0], "", 10)]
    assert rules.arrange_images(a, None) == a["images"]
    for wanted in ([{"key": "media/articles/A1/other.png"}], [{"key": keys[0]}, {"key": keys[0]}], "x", [1]):
        with pytest.raises(ValidationFailed):
            rules.arrange_images(a, wanted)


def test_the_public_view_gives_addresses_on_the_sites_own_origin_never_keys_alone():
    a = {**article(2), "section": "lecture", "title": "t", "body": "b", "images": article(2)["images"]}
    view = rules.public_view(a)
    assert view["images"] == [{"url": "/media/articles/A1/0.png", "alt": ""}, {"url": "/media/articles/A1/1.png", "alt": ""}]
    assert rules.cover(a) == "/media/articles/A1/0.png" and rules.cover(article(0)) is None
