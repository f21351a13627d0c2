"""``hub-plugin publish`` end to end, against real servers on 127.0.0.1: moto's S3 server, a loopback
HTTP server as a public link, and a hub clone whose fork is a bare repository on a git daemon."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from asset_server import AssetServer
from git_server import GitServer, git
from publish_setup import PLACEHOLDER, HubSetup, hub_setup, write_run
from s3_server import S3Server

from hub_plugin.cli import main

CARD_PATH = "mshub_res/assets/tester/1.8/tiny_cifar10.md"


def _publish(server: S3Server, target: Path, bucket: str, *extra: str) -> list[str]:
    return ["publish", str(target), "--upload", f"s3://{bucket}/models/tiny",
            "--endpoint-url", server.endpoint, *extra]


def _one_line_error(capsys: pytest.CaptureFixture[str], args: list[str]) -> str:
    assert main(args) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("hub-plugin: error: "), err
    assert "Traceback" not in err[0]
    return err[0]


def _keys(server: S3Server, bucket: str) -> list[str]:
    return [o["Key"] for o in server.client().list_objects_v2(Bucket=bucket).get("Contents", [])]


@pytest.fixture
def hub(git_server: GitServer, tmp_path: Path) -> HubSetup:
    return hub_setup(git_server, tmp_path)


def test_publish_uploads_completes_the_card_and_pushes_a_branch(
    s3_server: S3Server, hub: HubSetup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = s3_server.bucket("pub-happy")
    card, checkpoint = write_run(tmp_path / "run")
    digest = hashlib.sha256(checkpoint.read_bytes()).hexdigest()
    before = hub.branches()
    work_tree = (hub.clone / "README.md").read_text()
    args = _publish(s3_server, tmp_path / "run", bucket, "--hub", str(hub.clone), "--push", "fork",
                    "--branch", "add-tiny")
    assert main(args) == 0
    out = capsys.readouterr().out
    link = f"{s3_server.endpoint}/{bucket}/models/tiny/tiny.ckpt"
    assert f"read back {link}: {checkpoint.stat().st_size} bytes, all of it" in out
    assert "pushed to fork" in out
    head = s3_server.client().head_object(Bucket=bucket, Key="models/tiny/tiny.ckpt")
    assert head["Metadata"]["sha256"] == digest
    published = git("show", f"add-tiny:{CARD_PATH}", cwd=hub.fork)
    assert f"asset-link: <{link}>" in published and f"asset-sha256: {digest}" in published
    assert PLACEHOLDER not in published and main(["validate", "--profile", "mindspore-hub", str(card)]) == 0
    assert card.read_text(encoding="utf-8").strip() == published.strip()
    message = git("log", "-1", "--format=%B", "add-tiny", cwd=hub.fork)
    assert "tiny" in message and digest in message
    # the user's clone: the same work tree and branches, plus the new one
    assert hub.status() == "" and (hub.clone / "README.md").read_text() == work_tree
    assert not (hub.clone / CARD_PATH).exists()
    after = hub.branches()
    assert set(before.splitlines()) <= set(after.splitlines())
    assert "refs/heads/add-tiny" in after
    assert git("rev-parse", "--abbrev-ref", "HEAD", cwd=hub.clone) == "master"
    # again: the object is there with its sha256, nothing is uploaded
    capsys.readouterr()
    assert main(_publish(s3_server, card, bucket)) == 0
    assert "already there with sha256" in capsys.readouterr().out


def test_dry_run_prints_every_step_and_changes_nothing(
    s3_server: S3Server, hub: HubSetup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = s3_server.bucket("pub-dry")
    card, _ = write_run(tmp_path / "run")
    text, before, fork_before = card.read_text(), hub.branches(), hub.branches(hub.fork)
    args = _publish(s3_server, card, bucket, "--hub", str(hub.clone), "--push", "fork", "--dry-run")
    assert main(args) == 0
    out = capsys.readouterr().out
    for step in ("would upload", "would read", "would write", "would commit", "would push",
                 "dry run: nothing was uploaded"):
        assert step in out
    assert card.read_text() == text and hub.branches() == before and hub.branches(hub.fork) == fork_before
    assert _keys(s3_server, bucket) == []


def test_wrong_credentials_are_one_line(
    strict_s3_server: S3Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card, _ = write_run(tmp_path / "run")
    text = card.read_text()
    err = _one_line_error(capsys, _publish(strict_s3_server, card, "any-bucket"))
    assert "refused the credentials (InvalidAccessKeyId)" in err
    assert card.read_text() == text


def test_a_missing_bucket_is_one_line(
    s3_server: S3Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card, _ = write_run(tmp_path / "run")
    err = _one_line_error(capsys, _publish(s3_server, card, "no-such-bucket"))
    assert "there is no bucket 'no-such-bucket'" in err


def test_a_public_link_serving_other_bytes_stops_before_the_card(
    s3_server: S3Server, hub: HubSetup, asset_server: AssetServer, tmp_path: Path,
    capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = s3_server.bucket("pub-other")
    card, checkpoint = write_run(tmp_path / "run")
    asset_server.add("/cdn/models/tiny/tiny.ckpt", b"x" * checkpoint.stat().st_size)
    text, before = card.read_text(), hub.branches()
    err = _one_line_error(capsys, _publish(
        s3_server, card, bucket, "--public-url", asset_server.url("/cdn"), "--hub", str(hub.clone),
        "--push", "fork"))
    assert "serves other bytes than were uploaded" in err
    assert card.read_text() == text and hub.branches() == before
    assert "publish/" not in hub.branches(hub.fork)


def test_a_private_bucket_fails_the_read_back(
    s3_server: S3Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = s3_server.bucket("pub-private", public=False)
    card, _ = write_run(tmp_path / "run")
    text = card.read_text()
    err = _one_line_error(capsys, _publish(s3_server, card, bucket))
    assert "reading the uploaded file back: HTTP 403" in err and "the card was not written" in err
    assert card.read_text() == text


def test_a_card_that_fails_validation_uploads_nothing(
    s3_server: S3Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = s3_server.bucket("pub-invalid")
    card, _ = write_run(tmp_path / "run")
    card.write_text(card.read_text().replace("used-for: inference/extract-feature", "used-for: cooking"))
    err = _one_line_error(capsys, _publish(s3_server, card, bucket))
    assert "used-for" in err and str(card) in err
    assert _keys(s3_server, bucket) == []


def test_a_dirty_hub_and_an_existing_branch_upload_nothing(
    s3_server: S3Server, hub: HubSetup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = s3_server.bucket("pub-hub-faults")
    card, _ = write_run(tmp_path / "run")
    (hub.clone / "README.md").write_text("edited\n")
    err = _one_line_error(capsys, _publish(s3_server, card, bucket, "--hub", str(hub.clone)))
    assert "has uncommitted changes" in err
    git("checkout", "--", "README.md", cwd=hub.clone)
    git("branch", "taken", cwd=hub.clone)
    err = _one_line_error(capsys, _publish(s3_server, card, bucket, "--hub", str(hub.clone),
                                           "--branch", "taken"))
    assert "the branch taken already exists" in err
    git("push", "-q", "fork", "master:refs/heads/on-fork", cwd=hub.clone)
    err = _one_line_error(capsys, _publish(s3_server, card, bucket, "--hub", str(hub.clone),
                                           "--branch", "on-fork", "--push", "fork"))
    assert "fork already has a branch on-fork" in err
    err = _one_line_error(capsys, _publish(s3_server, card, bucket, "--hub", str(hub.clone),
                                           "--branch=--upload-pack=evil"))
    assert "not a usable branch name" in err
    assert _keys(s3_server, bucket) == []


def test_a_card_already_in_the_hub_needs_replace(
    s3_server: S3Server, hub: HubSetup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = s3_server.bucket("pub-replace")
    card, _ = write_run(tmp_path / "run", name="alexnet_cifar10")
    args = _publish(s3_server, card, bucket, "--hub", str(hub.clone), "--publisher", "mindspore",
                    "--branch", "new-alexnet")
    err = _one_line_error(capsys, args)
    assert "already has a card at mshub_res/assets/mindspore/1.8/alexnet_cifar10.md" in err
    assert _keys(s3_server, bucket) == []
    assert main([*args, "--replace"]) == 0
    assert "tiny.ckpt" in git("show", "new-alexnet:mshub_res/assets/mindspore/1.8/alexnet_cifar10.md",
                              cwd=hub.clone)


def test_an_object_with_other_bytes_needs_overwrite(
    s3_server: S3Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = s3_server.bucket("pub-overwrite")
    s3_server.client().put_object(Bucket=bucket, Key="models/tiny/tiny.ckpt", Body=b"older bytes")
    card, checkpoint = write_run(tmp_path / "run")
    text = card.read_text()
    err = _one_line_error(capsys, _publish(s3_server, card, bucket))
    assert "already holds other bytes (no sha256 in its metadata)" in err and "--overwrite" in err
    assert card.read_text() == text
    assert main([*_publish(s3_server, card, bucket), "--overwrite"]) == 0
    body = s3_server.client().get_object(Bucket=bucket, Key="models/tiny/tiny.ckpt")["Body"].read()
    assert body == checkpoint.read_bytes()


def test_a_failed_push_leaves_no_branch(
    s3_server: S3Server, hub: HubSetup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = s3_server.bucket("pub-push-fails")
    card, _ = write_run(tmp_path / "run")
    before = hub.branches()
    err = _one_line_error(capsys, _publish(s3_server, card, bucket, "--hub", str(hub.clone), "--push",
                                           (tmp_path / "nowhere.git").as_uri(), "--branch", "lost"))
    assert "pushing lost to" in err or "asking" in err
    assert hub.branches() == before


def test_pull_request_addresses() -> None:
    from hub_plugin.publishing.hub_branch import pull_request_url

    assert pull_request_url("git@github.com:me/hub.git", "b") == "https://github.com/me/hub/pull/new/b"
    assert pull_request_url("https://github.com/me/hub", "x/y") == "https://github.com/me/hub/pull/new/x/y"
    assert pull_request_url("https://gitee.com/me/hub.git", "b") == "https://gitee.com/me/hub/pulls/new"
    assert pull_request_url("file:///tmp/fork.git", "b") is None


def test_two_files_for_one_key_are_refused_and_one_file_for_two_cards_goes_up_once(
    s3_server: S3Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bucket = s3_server.bucket("pub-keys")
    run = tmp_path / "run"
    first, _ = write_run(run / "a", name="first")
    second, _ = write_run(run / "b", name="second")
    for card in (first, second):  # both cards in one folder, each naming its own model file
        moved = run / card.name
        moved.write_text(card.read_text().replace(f"<{PLACEHOLDER}/tiny.ckpt>",
                                                  f"<{card.parent.name}/tiny.ckpt>"))
        card.unlink()
    err = _one_line_error(capsys, _publish(s3_server, run, bucket))
    assert "would both be s3://pub-keys/models/tiny/tiny.ckpt" in err
    assert _keys(s3_server, bucket) == []
    digest_a, digest_b = (hashlib.sha256((run / d / "tiny.ckpt").read_bytes()).hexdigest() for d in "ab")
    second_card = run / "second.md"
    second_card.write_text(second_card.read_text().replace("<b/tiny.ckpt>", "<a/tiny.ckpt>")
                           .replace(digest_b, digest_a))
    assert main(_publish(s3_server, run, bucket)) == 0
    assert capsys.readouterr().out.count("upload ") == 1
    assert _keys(s3_server, bucket) == ["models/tiny/tiny.ckpt"]


@pytest.mark.parametrize("link", ["~/.aws/credentials", "{home}/.aws/credentials",
                                  "file://{home}/.aws/credentials", "../home/.aws/credentials",
                                  "stolen.ckpt"])
def test_publish_uploads_no_file_outside_the_card_folder(
    s3_server: S3Server, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, link: str
) -> None:
    """Issue 27, hole 10: ``asset-link: <~/.aws/credentials>`` with ``asset-sha256: TBD`` was
    uploaded to the (public) bucket before the read-back failed. A local asset is a file inside
    the card's folder (no ``~``, absolute path, ``file://``, ``..`` or link); each is refused in
    one line and nothing is uploaded."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    secret = home / ".aws" / "credentials"
    secret.write_text("[default]\naws_secret_access_key = SECRET\n")
    monkeypatch.setenv("HOME", str(home))
    bucket = s3_server.bucket("pub-local-files")
    card, _checkpoint = write_run(tmp_path / "run")
    (tmp_path / "run" / "stolen.ckpt").symlink_to(secret)  # a link inside the folder, out of it
    digest = hashlib.sha256(secret.read_bytes()).hexdigest()
    text = card.read_text(encoding="utf-8")
    text = text.replace(f"<{PLACEHOLDER}/tiny.ckpt>", f"<{link.format(home=home)}>")
    card.write_text(text.replace(hashlib.sha256(_checkpoint.read_bytes()).hexdigest(), digest))
    err = _one_line_error(capsys, _publish(s3_server, card, bucket))
    assert "card's folder" in err and "SECRET" not in err
    assert _keys(s3_server, bucket) == []


def test_publish_needs_a_digest_to_check_a_local_file_against(
    s3_server: S3Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 27, hole 10: a local file is uploaded only when the card gives its sha256 (``TBD``
    checks nothing): eval and export write it; without it, one line and no upload."""
    bucket = s3_server.bucket("pub-tbd")
    card, checkpoint = write_run(tmp_path / "run")
    digest = hashlib.sha256(checkpoint.read_bytes()).hexdigest()
    card.write_text(card.read_text(encoding="utf-8").replace(digest, "TBD"), encoding="utf-8")
    err = _one_line_error(capsys, _publish(s3_server, card, bucket))
    assert "gives no sha256" in err and "TBD" in err
    assert _keys(s3_server, bucket) == []


@pytest.mark.parametrize(("location", "said"), [
    ("s3://b/p", "the bucket name 'b' in 's3://b/p' is too short: S3 bucket names are 3 to 63 "
                 "characters (it has 1)"),
    (f"s3://{'a' * 64}/p", "is too long: S3 bucket names are 3 to 63 characters (it has 64)"),
    ("s3://Bad_Name/p", "'Bad_Name' in 's3://Bad_Name/p' is no S3 bucket name: lower-case letters"),
    ("https://bucket/p", "not an S3 location: 'https://bucket/p' (write s3://BUCKET/PREFIX)"),
])
def test_a_bad_upload_location_says_what_is_wrong_with_it(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, location: str, said: str) -> None:
    """A bucket name that is only too short was "not an S3 location" (issue 28, item 4)."""
    from card_samples import card_text, write_card

    card = write_card(tmp_path / "cards", "tiny", card_text())
    assert main(["publish", str(card), "--upload", location]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and said in err[0], err


def test_requires_becomes_the_uid_in_the_hub_and_an_unknown_name_uploads_nothing(
    s3_server: S3Server, hub: HubSetup, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 28 item 1: the hub's copy names the required card by the UID it is published at;
    the local card keeps the name; a name neither published now nor in the hub is one line."""
    run = tmp_path / "run"
    write_run(run, name="tiny_encoder", file_name="encoder.ckpt", size=1000)
    write_run(run, name="tiny_classifier", file_name="classifier.ckpt", size=1000,
              extra="network: simclr.simclr_classifier backbone=resnet18\nrequires: tiny_encoder\n")
    bucket = s3_server.bucket("pub-requires")
    lonely = tmp_path / "lonely"
    write_run(lonely, name="tiny_alone", file_name="alone.ckpt", size=1000,
              extra="requires: tiny_missing\n")
    err = _one_line_error(capsys, _publish(s3_server, lonely, bucket, "--hub", str(hub.clone)))
    assert "'requires' names the card 'tiny_missing'" in err and "tester/1.8/tiny_missing.md" in err
    assert _keys(s3_server, bucket) == []
    assert main(_publish(s3_server, run, bucket, "--hub", str(hub.clone), "--branch", "pair")) == 0
    published = git("show", "pair:mshub_res/assets/tester/1.8/tiny_classifier.md", cwd=hub.clone)
    assert "\nrequires: tester/1.8/tiny_encoder\n" in published
    assert "network: simclr.simclr_classifier backbone=resnet18\n" in published
    assert "\nrequires: tiny_encoder\n" in (run / "tiny_classifier.md").read_text()
