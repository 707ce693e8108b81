"""/downloads: the index and the files as they are on disk (size, ETag, ranges, no re-compression)."""

from __future__ import annotations

import hashlib

from policykg.publication.dumps import latest


def test_index_lists_every_dump_with_size_checksum_and_licence(client, store) -> None:
    response = client.get("/downloads/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<html lang="en">' in page
    for dump in latest(store).files:
        assert f'href="/downloads/{dump.name}"' in page
        assert f"{dump.bytes:,} bytes" in page and dump.sha256 in page
    assert "creativecommons.org/publicdomain/zero/1.0/" in page and "CC BY 4.0" in page
    assert built_iri_in(page, store)


def built_iri_in(page: str, store) -> bool:
    return "https://w3id.org/policykg/umea/dataset" in page and latest(store).published[:10] in page


def test_files_are_sent_as_they_are_with_validators(client, store) -> None:
    for dump in latest(store).files:
        response = client.get(f"/downloads/{dump.name}", headers={"Accept-Encoding": "gzip, br"})
        body = response.get_data()
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers  # not compressed again on the way
        assert int(response.headers["Content-Length"]) == dump.bytes == len(body)
        assert hashlib.sha256(body).hexdigest() == dump.sha256
        assert response.headers["ETag"] == f'"{dump.sha256}"'
        expected = "application/gzip" if dump.name.endswith(".gz") else dump.media_type
        assert response.mimetype == expected
        assert "attachment" in response.headers["Content-Disposition"]
        assert client.get(f"/downloads/{dump.name}", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_byte_ranges_resume_a_download(client, store) -> None:
    dump = latest(store).files[0]
    whole = (latest(store).path / dump.name).read_bytes()
    response = client.get(f"/downloads/{dump.name}", headers={"Range": "bytes=100-199", "Accept-Encoding": "gzip"})
    assert response.status_code == 206
    assert response.headers["Content-Range"] == f"bytes 100-199/{dump.bytes}"
    assert response.get_data() == whole[100:200]


def test_checksums_file_and_unknown_names(client, store) -> None:
    sums = client.get("/downloads/SHA256SUMS")
    assert sums.status_code == 200 and sums.mimetype == "text/plain"
    assert latest(store).files[0].sha256 in sums.get_data(as_text=True)
    missing = client.get("/downloads/secrets.txt")
    assert missing.status_code == 404 and "policykg.nq.gz" in missing.get_data(as_text=True)
    assert client.get("/downloads/..%2Fcurrent").status_code == 404


def test_without_dumps_the_index_and_files_say_how_to_make_them(sample_store) -> None:
    from helpers import make_endpoint_app

    app = make_endpoint_app(sample_store.path)
    try:
        client = app.test_client()
        assert "policykg dumps" in client.get("/downloads/").get_data(as_text=True)
        response = client.get("/downloads/policykg.ttl")
        assert response.status_code == 404 and "policykg dumps" in response.get_data(as_text=True)
    finally:
        app.extensions["policykg.querypool"].close()


def test_landing_page_has_the_download_and_cite_section_and_metadata_links(client, store) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="describedby" href="/catalog"' in page and '<link rel="alternate" href="/.well-known/void"' in page
    assert 'id="download-and-cite"' in page
    assert f'href="/downloads/{latest(store).files[0].name}"' in page
    assert built_iri_in(page, store)
