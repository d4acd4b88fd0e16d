"""The store of issued documents records each file by its SHA-256 hex digest (what verification compares)."""
from dialogues.storage import FileStore


def test_issued_files_are_recorded_by_their_sha256_hex(tmp_path):
    store = FileStore(tmp_path)
    key, digest = store.put(b"abc", "minutes")
    assert digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert key == f"minutes/ba/{digest}.pdf" and store.is_intact(key, digest)
