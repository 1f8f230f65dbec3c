"""cnnlib.checkpoint: files read only after their SHA-256 is checked, and the shipped backbone."""

from __future__ import annotations

import hashlib

import pytest
import torch
from torch import nn

from cnnlib import checkpoint, data, train
from cnnlib.models import SmallResNet


def test_sha256_of_matches_hashlib(tmp_path) -> None:
    path = tmp_path / "file.bin"
    content = bytes(range(256)) * 5000
    path.write_bytes(content)
    assert checkpoint.sha256_of(path) == hashlib.sha256(content).hexdigest()


def test_load_checkpoint_checks_the_hash_before_reading(tmp_path) -> None:
    path = tmp_path / "checkpoint.pt"
    torch.save({"x": torch.arange(3)}, path)
    good = checkpoint.sha256_of(path)
    assert torch.equal(checkpoint.load_checkpoint(path, good)["x"], torch.arange(3))
    assert torch.equal(checkpoint.load_checkpoint(path, good.upper())["x"], torch.arange(3))
    wrong = "0" * 64
    with pytest.raises(ValueError, match=f"has SHA-256 {good}, expected {wrong}"):
        checkpoint.load_checkpoint(path, wrong)
    for bad in ("abc", "g" * 64, 123):
        with pytest.raises(ValueError, match="sha256 must be 64 hexadecimal digits"):
            checkpoint.load_checkpoint(path, bad)
    with pytest.raises(FileNotFoundError):
        checkpoint.load_checkpoint(tmp_path / "missing.pt", good)
    torch.save([1, 2], path)
    with pytest.raises(ValueError, match="dictionary"):
        checkpoint.load_checkpoint(path, checkpoint.sha256_of(path))


def test_load_checkpoint_refuses_arbitrary_objects(tmp_path) -> None:
    path = tmp_path / "pickle.pt"
    torch.save({"module": nn.Linear(2, 2)}, path)  # a pickled class, not only tensors
    with pytest.raises(Exception, match="[Ww]eights only load failed"):
        checkpoint.load_checkpoint(path, checkpoint.sha256_of(path))


def test_shipped_backbone_matches_its_hash_and_record() -> None:
    assert checkpoint.sha256_of(checkpoint.FASHION_BACKBONE) == checkpoint.FASHION_BACKBONE_SHA256
    model, record = checkpoint.pretrained_fashion_backbone()
    assert isinstance(model, SmallResNet) and not model.training
    assert model.fc.out_features == 10 and record["config"]["num_classes"] == 10
    assert "state_dict" not in record
    epochs = record["epochs"]
    for key in ("test_accuracy_per_epoch", "train_accuracy_per_epoch", "seconds_per_epoch"):
        assert len(record[key]) == epochs, key
    assert all(0.0 <= a <= 1.0 for a in record["test_accuracy_per_epoch"] + record["train_accuracy_per_epoch"])
    assert all(s > 0 for s in record["seconds_per_epoch"])
    assert record["test_accuracy"] == record["test_accuracy_per_epoch"][-1] >= 0.93
    assert isinstance(record["torch_version"], str) and record["torch_version"][0].isdigit()


def test_shipped_backbone_reaches_its_recorded_accuracy_on_the_full_test_set() -> None:
    model, record = checkpoint.pretrained_fashion_backbone()
    images, labels = data.load_fashion_mnist("test")
    assert len(labels) == 10_000
    accuracy = train.evaluate(model, (images, labels)).accuracy
    # another CPU or torch version rounds differently; a few test images may change
    assert accuracy == pytest.approx(record["test_accuracy"], abs=0.003)


def test_backbone_with_a_changed_byte_is_refused(tmp_path) -> None:
    damaged = tmp_path / checkpoint.FASHION_BACKBONE.name
    content = bytearray(checkpoint.FASHION_BACKBONE.read_bytes())
    content[len(content) // 2] ^= 1
    damaged.write_bytes(bytes(content))
    with pytest.raises(ValueError, match="corrupted or not the one this version of cnnlib ships"):
        checkpoint.pretrained_fashion_backbone(damaged)
    with pytest.raises(FileNotFoundError):
        checkpoint.pretrained_fashion_backbone(tmp_path / "missing.pt")
