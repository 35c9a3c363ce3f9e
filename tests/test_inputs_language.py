"""Language per article: detected from the text, or taken from the metadata."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import nkmap
from nkmap.inputs.language import detect_language, normalise_language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Water from the river rose overnight and reached the outskirts of the city, residents said on Monday.", "en"),
        ("Banjir merendam ratusan rumah setelah tanggul sungai jebol pada Minggu dini hari, kata warga.", "id"),
        ("Вода в реке поднялась за ночь и дошла до окраин города, сообщили жители в понедельник.", "ru"),
        (
            "L'eau du fleuve est montée pendant la nuit et a atteint la périphérie de la ville, selon les habitants.",
            "fr",
        ),
        ("Das Wasser des Flusses stieg über Nacht und erreichte am Montag die Außenbezirke der Stadt.", "de"),
        ("Çay gece boyunca yükseldi ve pazartesi günü şehrin kenar mahallelerine ulaştı, dedi sakinler.", "tr"),
    ],
)
def test_languages_are_detected(text, code):
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["", "OK", "12:30 — 14:45", "Baku!", "http://a.example/x?y=1"])
def test_too_little_text_says_nothing(text):
    assert detect_language(text) == ""


@pytest.mark.parametrize(
    ("value", "code"), [("en-GB", "en"), ("ID", "id"), ("id_ID", "id"), ("ind", ""), ("", ""), (None, ""), ("e", "")]
)
def test_metadata_languages_are_normalised(value, code):
    assert normalise_language(value) == code


def test_every_article_has_its_language_and_metadata_wins(tmp_path, sample_articles):
    assert {a.language for a in sample_articles} == {"id"}
    path = tmp_path / "a.txt"
    path.write_text("---\nlanguage: ms\n---\nBanjir merendam ratusan rumah di kampung itu pada pagi hari.\n", "utf-8")
    assert nkmap.read_article(path).language == "ms"


def test_the_unpacked_model_in_the_cache_answers_as_the_packed_one(tmp_path, monkeypatch):
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    from nkmap.inputs import language

    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path))
    language._identifier.cache_clear()
    try:
        cached = language._identifier()
        assert list((tmp_path / "langid").glob("model-*/complete")), "the unpacked copy is kept in the cache"
        assert isinstance(cached.nb_ptc, np.memmap), "the rows are read from the copy as a sample needs them"
        again = language._unpacked(Path("/nonexistent/model.npz.xz"))  # made before: not unpacked again
        assert again is not None and again.parent == tmp_path / "langid"
    finally:
        language._identifier.cache_clear()
    packed = LanguageIdentifier.from_model_file(MODEL_DIR / MODEL_FILE, norm_probs=True)
    for text in (
        "Warga mengungsi dari desa itu setelah banjir merendam rumah mereka sejak Senin pagi.",
        "The ferry left the harbour late on Sunday because of the storm over the strait.",
        "Les habitants ont quitté la ville après les inondations de la semaine dernière.",
        "Vecinos del barrio dejaron sus casas tras las lluvias del fin de semana pasado.",
    ):
        assert cached.classify(text) == packed.classify(text)


def test_a_half_unpacked_model_is_unpacked_again(tmp_path, monkeypatch):
    from importlib.metadata import version

    from py3langid.langid import MODEL_DIR, MODEL_FILE

    from nkmap.inputs import language

    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path))
    older = tmp_path / "langid" / f"model-{version('py3langid')}.npz"  # the one-file copy of earlier versions
    older.parent.mkdir()
    older.write_bytes(b"PK")
    folder = language._unpacked(MODEL_DIR / MODEL_FILE)
    assert folder is not None and (folder / "complete").is_file()
    assert not older.exists(), "the earlier copy is let go once the tables are in place"
    (folder / "complete").unlink()  # as if killed before the last table was written
    (folder / "ptc.npy").write_bytes(b"not a table")
    assert language._unpacked(MODEL_DIR / MODEL_FILE) == folder
    assert np.load(folder / "ptc.npy", mmap_mode="r").shape[1] == len(np.load(folder / "classes.npy"))
