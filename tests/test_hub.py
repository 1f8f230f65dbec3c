"""cnnlib.hub: torchvision's published weights offline and from a cache, and classifying with them."""

from __future__ import annotations

import socket
from urllib.error import URLError

import numpy as np
import pytest
import torch
import torchvision

from cnnlib import data, hub

# A small torchvision model with published weights keeps the cached-weights test fast.
NAME, WEIGHTS = "mobilenet_v3_small", "IMAGENET1K_V1"


@pytest.fixture
def hub_dir(tmp_path, monkeypatch):
    """An empty torch hub cache in a temporary folder, and no network: any download fails."""
    previous = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))

    def no_network(url, dst, hash_prefix=None, progress=True):
        raise URLError("no network in tests")

    monkeypatch.setattr(torch.hub, "download_url_to_file", no_network)
    yield tmp_path
    torch.hub.set_dir(previous)


def _weights():
    return torchvision.models.get_model_weights(NAME)[WEIGHTS]


def test_weights_file_is_in_the_hub_cache(hub_dir) -> None:
    weights = _weights()
    assert hub.weights_file(weights) == hub_dir / "checkpoints" / weights.url.rsplit("/", 1)[-1]
    with pytest.raises(TypeError, match="weights"):
        hub.weights_file("IMAGENET1K_V1")


def test_offline_without_cache_gives_random_weights_and_says_so(hub_dir) -> None:
    result = hub.torchvision_pretrained(NAME, WEIGHTS)
    assert not result.loaded
    assert result.weights is _weights()
    assert isinstance(result.model, torchvision.models.MobileNetV3)
    file_name = _weights().url.rsplit("/", 1)[-1]
    expected = (
        f"The {NAME} {WEIGHTS} weights are not in the torch hub cache ({file_name}) and download=False: "
        "the model has random weights. Call with download=True where there is internet access "
        f"(about {_weights().meta['_file_size']:.0f} MB)."
    )
    assert result.message == expected
    assert str(hub_dir) not in result.message  # deterministic: no machine-specific path
    assert hub.torchvision_pretrained(NAME, WEIGHTS).message == result.message


def test_cached_weights_are_loaded_through_torchvision(hub_dir) -> None:
    torch.manual_seed(0)
    reference = torchvision.models.get_model(NAME, weights=None)
    path = hub.weights_file(_weights())
    path.parent.mkdir(parents=True)
    torch.save(reference.state_dict(), path)
    result = hub.torchvision_pretrained(NAME, WEIGHTS)  # download=False: the cache is enough
    assert result.loaded and path.name in result.message
    assert hub.torchvision_pretrained(NAME, _weights()).loaded  # the enum member works too
    for key, value in reference.state_dict().items():
        torch.testing.assert_close(result.model.state_dict()[key], value)


def test_failed_download_is_reported_and_restores_the_socket_timeout(hub_dir, monkeypatch) -> None:
    seen = []

    def record_timeout(url, dst, hash_prefix=None, progress=True):
        seen.append(socket.getdefaulttimeout())
        raise URLError("no network in tests")

    monkeypatch.setattr(torch.hub, "download_url_to_file", record_timeout)
    before = socket.getdefaulttimeout()
    result = hub.torchvision_pretrained(NAME, WEIGHTS, download=True, timeout=3)
    assert seen == [3.0]  # the download waited at most 3 s for the network
    assert socket.getdefaulttimeout() == before
    assert not result.loaded
    assert result.message == (
        f"The {NAME} {WEIGHTS} weights could not be downloaded (no network in tests): "
        "the model has random weights."
    )


def test_torchvision_pretrained_argument_errors(hub_dir) -> None:
    with pytest.raises(ValueError, match="name"):
        hub.torchvision_pretrained("resnet5000")
    with pytest.raises(ValueError, match="weights must be one of 'IMAGENET1K_V1'"):
        hub.torchvision_pretrained(NAME, "IMAGENET1K_V9")
    with pytest.raises(ValueError, match="weights must be one of 'IMAGENET1K_V1'"):
        hub.torchvision_pretrained(NAME, torchvision.models.ResNet50_Weights.IMAGENET1K_V2)
    with pytest.raises(TypeError, match="download"):
        hub.torchvision_pretrained(NAME, WEIGHTS, download="yes")
    for timeout in (0, -1):
        with pytest.raises(ValueError, match="timeout must be a positive number"):
            hub.torchvision_pretrained(NAME, WEIGHTS, timeout=timeout)
    for timeout in (True, "10"):
        with pytest.raises(TypeError, match="timeout must be a number"):
            hub.torchvision_pretrained(NAME, WEIGHTS, timeout=timeout)


def test_classify_returns_the_softmax_top_classes() -> None:
    torch.manual_seed(0)
    weights = _weights()
    model = torchvision.models.get_model(NAME, weights=None).train()
    image = data.sample_image("chelsea")
    table = hub.classify(model, weights, image, top=3)
    assert model.training  # mode restored
    model.eval()
    with torch.no_grad():
        probabilities = model(weights.transforms()(image).unsqueeze(0)).softmax(dim=1)[0]
    values, indices = probabilities.topk(3)
    assert list(table["class"]) == [weights.meta["categories"][i] for i in indices.tolist()]
    np.testing.assert_allclose(table["probability"], values.numpy(), rtol=1e-5)
    with pytest.raises(TypeError, match="image"):
        hub.classify(model, weights, image.numpy())
    with pytest.raises(ValueError, match="image"):
        hub.classify(model, weights, image[:1])
    with pytest.raises(ValueError, match="top"):
        hub.classify(model, weights, image, top=1001)
    with pytest.raises(ValueError, match="top"):
        hub.classify(model, weights, image, top=0)
