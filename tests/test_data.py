"""cnnlib.data: the offline data sets, their shapes, ranges, splits and argument errors."""

from __future__ import annotations

import pytest
import torch

from cnnlib import data


def test_digits_split_is_fixed_stratified_and_disjoint() -> None:
    x_train, y_train = data.load_digits(split="train")
    x_test, y_test = data.load_digits(split="test")
    x_all, y_all = data.load_digits(split="all")
    assert len(y_train) + len(y_test) == len(y_all)
    assert x_train.shape[1:] == (1, 8, 8) and x_train.dtype == torch.float32
    assert y_train.dtype == torch.int64
    assert 0.0 <= float(x_all.min()) and float(x_all.max()) <= 1.0
    # every class in both splits, in proportion
    train_share = torch.bincount(y_train, minlength=10) / len(y_train)
    test_share = torch.bincount(y_test, minlength=10) / len(y_test)
    assert torch.allclose(train_share, test_share, atol=0.01)
    # the same call gives the same split; no test image is a training image
    again, _ = data.load_digits(split="test")
    assert torch.equal(x_test, again)
    flat_train = {tuple(row.tolist()) for row in x_train.flatten(1)}
    overlap = sum(tuple(row.tolist()) in flat_train for row in x_test.flatten(1))
    assert overlap < len(x_test) * 0.05  # a few digits are pixel-identical in the source data


def test_digits_resize_keeps_shape_and_range() -> None:
    x, y = data.load_digits(size=32, split="test")
    assert x.shape == (len(y), 1, 32, 32)
    assert 0.0 <= float(x.min()) and float(x.max()) <= 1.0
    # resizing preserves the picture: the mean brightness barely changes
    small, _ = data.load_digits(size=8, split="test")
    assert abs(float(x.mean()) - float(small.mean())) < 0.02


@pytest.mark.parametrize("name", data.SAMPLE_IMAGES)
def test_every_sample_image_loads_offline_as_a_tensor_in_unit_range(name: str) -> None:
    image = data.sample_image(name)
    assert image.ndim == 3 and image.shape[0] in (1, 3)
    assert image.dtype == torch.float32
    assert 0.0 <= float(image.min()) and float(image.max()) <= 1.0
    assert float(image.std()) > 0.02  # a real picture, not a blank


def test_sample_image_resizes_and_converts_to_grey() -> None:
    cat = data.sample_image("chelsea")
    small = data.sample_image("chelsea", size=100, grayscale=True)
    assert small.shape[0] == 1 and min(small.shape[1:]) == 100
    ratio_before = cat.shape[2] / cat.shape[1]
    ratio_after = small.shape[2] / small.shape[1]
    assert abs(ratio_before - ratio_after) < 0.02
    assert data.sample_image("chelsea", size=(64, 80)).shape == (3, 64, 80)


def test_permute_pixels_is_one_invertible_permutation() -> None:
    x, _ = data.load_digits(split="test")
    permuted, permutation = data.permute_pixels(x, seed=3)
    assert sorted(permutation.tolist()) == list(range(64))
    inverse = torch.argsort(permutation)
    restored = permuted.flatten(2)[:, :, inverse].reshape(x.shape)
    assert torch.equal(restored, x)
    again, _ = data.permute_pixels(x, seed=3)
    assert torch.equal(again, permuted)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: data.load_digits(size=2), ValueError, "size"),
        (lambda: data.load_digits(split="validation"), ValueError, "split"),
        (lambda: data.load_digits(test_fraction=1.5), ValueError, "test_fraction"),
        (lambda: data.sample_image("dog"), ValueError, "name"),
        (lambda: data.sample_image("camera", size=0), ValueError, "size"),
        (lambda: data.permute_pixels(torch.zeros(8, 8)), ValueError, "images"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(call, error: type, words: str) -> None:
    with pytest.raises(error, match=words):
        call()
