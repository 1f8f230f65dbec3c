"""cnnlib.interpret: each attribution method equals Captum's implementation where Captum has one,
CAM equals Grad-CAM on a global-average-pooling network (up to the papers' scaling), FGSM's
perturbation has L-infinity norm exactly epsilon, and bad input gets clear errors."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from cnnlib import interpret

captum_attr = pytest.importorskip("captum.attr")


def gap_network(seed: int = 0, classes: int = 5) -> nn.Sequential:
    """A small CNN ending in global average pooling and one linear layer (CAM applies)."""
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 8, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, classes),
    ).eval()


def rgb_network(seed: int = 0) -> nn.Sequential:
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.Tanh(), nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3),
    ).eval()


def images(n: int = 4, channels: int = 1, size: int = 12, seed: int = 1) -> torch.Tensor:
    return torch.rand(n, channels, size, size, generator=torch.Generator().manual_seed(seed))


TARGETS = [0, 3, 1, 4]


# --- equal to Captum -------------------------------------------------------------------------


@pytest.mark.parametrize("channels", [1, 3])
def test_saliency_equals_captums_absolute_gradient_max_over_channels(channels: int) -> None:
    model = gap_network() if channels == 1 else rgb_network()
    x = images(channels=channels)
    target = TARGETS if channels == 1 else [0, 2, 1, 2]
    expected = captum_attr.Saliency(model).attribute(x, target=target, abs=True).amax(dim=1)
    torch.testing.assert_close(interpret.saliency(model, x, target), expected)


@pytest.mark.parametrize("seed", [0, 7])
def test_smooth_grad_equals_captums_noise_tunnel_with_the_same_noise(seed: int) -> None:
    # Captum draws the noise from torch's global generator; seeded with the same number it draws
    # what smooth_grad draws from its own, so the two must agree to rounding.
    model, x = gap_network(), images()
    torch.manual_seed(seed)
    tunnel = captum_attr.NoiseTunnel(captum_attr.Saliency(model))
    expected = tunnel.attribute(x, nt_type="smoothgrad", nt_samples=6, stdevs=0.2, target=TARGETS, abs=True)
    actual = interpret.smooth_grad(model, x, TARGETS, samples=6, stdev=0.2, seed=seed)
    torch.testing.assert_close(actual, expected.amax(dim=1))


def test_smooth_grad_with_no_noise_is_the_saliency_map() -> None:
    model, x = gap_network(), images()
    torch.testing.assert_close(interpret.smooth_grad(model, x, 2, samples=3, stdev=0.0),
                               interpret.saliency(model, x, 2))


@settings(max_examples=15, deadline=None)
@given(window=st.integers(1, 6), stride=st.integers(1, 6), baseline=st.sampled_from([0.0, 0.5]),
       size=st.integers(6, 11))
def test_occlusion_equals_captums(window: int, stride: int, baseline: float, size: int) -> None:
    stride = min(stride, window)
    model, x = gap_network(), images(n=2, size=size)
    expected = captum_attr.Occlusion(model).attribute(
        x, sliding_window_shapes=(1, window, window), strides=(1, stride, stride),
        baselines=baseline, target=[1, 4])
    actual = interpret.occlusion(model, x, [1, 4], window=window, stride=stride, baseline=baseline)
    torch.testing.assert_close(actual, expected[:, 0])


@pytest.mark.parametrize("layer", ["1", "4"])
def test_grad_cam_equals_captums_layer_grad_cam(layer: str) -> None:
    model, x = gap_network(), images()
    for relu in (True, False):
        expected = captum_attr.LayerGradCam(model, model.get_submodule(layer)).attribute(
            x, target=TARGETS, relu_attributions=relu)
        torch.testing.assert_close(interpret.grad_cam(model, layer, x, TARGETS, relu=relu), expected[:, 0])


def test_upsample_map_equals_captums_bilinear_interpolation() -> None:
    maps = torch.rand(3, 1, 7, 7)
    expected = captum_attr.LayerAttribution.interpolate(maps, (28, 28), interpolate_mode="bilinear")
    torch.testing.assert_close(interpret.upsample_map(maps[:, 0], 28), expected[:, 0])


# --- CAM and Grad-CAM -------------------------------------------------------------------------


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 1000), target=st.integers(0, 4))
def test_cam_is_grad_cam_times_the_number_of_positions_on_a_gap_network(seed: int, target: int) -> None:
    # Zhou et al.'s map is sum_k w_ck A^k; Grad-CAM's weights are the mean gradients, w_ck / (h w).
    model, x = gap_network(seed), images(seed=seed)
    cam = interpret.class_activation_map(model, "4", x, target)
    positions = cam.shape[1] * cam.shape[2]
    torch.testing.assert_close(cam, positions * interpret.grad_cam(model, "4", x, target, relu=False))
    torch.testing.assert_close(torch.relu(cam), positions * interpret.grad_cam(model, "4", x, target))


def test_cam_averages_to_the_class_score_minus_the_bias() -> None:
    model, x = gap_network(), images()
    cam = interpret.class_activation_map(model, "4", x, TARGETS)
    scores = model(x).gather(1, torch.tensor(TARGETS)[:, None])[:, 0] - model[7].bias[TARGETS]
    torch.testing.assert_close(cam.mean(dim=(1, 2)), scores.detach())


def test_cam_takes_the_linear_layer_by_name() -> None:
    model, x = gap_network(), images()
    torch.testing.assert_close(interpret.class_activation_map(model, "4", x, 1, linear="7"),
                               interpret.class_activation_map(model, "4", x, 1))


# --- FGSM -------------------------------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(epsilon=st.floats(0.001, 1.0), seed=st.integers(0, 1000))
def test_fgsm_perturbation_has_infinity_norm_exactly_epsilon(epsilon: float, seed: int) -> None:
    model, x = gap_network(seed), images(seed=seed)
    adversarial = interpret.fgsm(model, x, torch.tensor(TARGETS), epsilon)
    step = adversarial - x
    # exactly epsilon up to the rounding of x + epsilon in float32 (x is at most 1)
    assert float(step.abs().max()) == pytest.approx(epsilon, abs=1e-6)
    # every pixel moves by exactly +-epsilon or not at all (zero gradient)
    assert torch.isclose(step.abs(), torch.tensor(epsilon), rtol=0, atol=1e-6).logical_or(step == 0).all()


def test_fgsm_steps_along_the_sign_of_the_loss_gradient_and_raises_the_loss() -> None:
    model, x = gap_network(), images()
    labels = torch.tensor(TARGETS)
    x_grad = x.clone().requires_grad_(True)
    nn.functional.cross_entropy(model(x_grad), labels).backward()
    adversarial = interpret.fgsm(model, x, labels, 0.01)
    torch.testing.assert_close(adversarial, x + 0.01 * x_grad.grad.sign())
    with torch.no_grad():
        assert nn.functional.cross_entropy(model(adversarial), labels) > nn.functional.cross_entropy(model(x), labels)


def test_fgsm_clamps_to_the_valid_range_when_asked() -> None:
    model, x = gap_network(), images()
    adversarial = interpret.fgsm(model, x, torch.tensor(TARGETS), 0.5, clamp=(0.0, 1.0))
    assert float(adversarial.min()) >= 0.0 and float(adversarial.max()) <= 1.0
    assert float((adversarial - x).abs().max()) <= 0.5


# --- feature visualisation, top images, sanity check -------------------------------------------


def test_activation_maximisation_excites_its_classes_and_channels() -> None:
    model = gap_network()
    pictures = interpret.activation_maximisation(model, [0, 1, 2], shape=(1, 12, 12), steps=60, lr=0.1,
                                                 blur=0.5, l2=0.1)
    assert pictures.shape == (3, 1, 12, 12)
    assert float(pictures.min()) >= 0.0 and float(pictures.max()) <= 1.0
    with torch.no_grad():
        logits = model(pictures)
        start = model(torch.full((3, 1, 12, 12), 0.5))
    gains = (logits - start).gather(1, torch.tensor([[0], [1], [2]]))
    assert (gains > 0).all()
    channel = interpret.activation_maximisation(model, 3, shape=(1, 12, 12), layer="4", steps=30)
    assert channel.shape == (1, 1, 12, 12)


def test_activation_maximisation_is_reproducible_from_its_seed() -> None:
    model = gap_network()
    first = interpret.activation_maximisation(model, 1, shape=(1, 12, 12), steps=10, seed=3)
    torch.testing.assert_close(first, interpret.activation_maximisation(model, 1, shape=(1, 12, 12),
                                                                        steps=10, seed=3))


def test_top_activating_ranks_images_by_the_channels_largest_response() -> None:
    model, x = gap_network(), images(n=20)
    indices, values = interpret.top_activating(model, "4", x, channel=2, k=5, batch_size=7)
    with torch.no_grad():
        response = model[:5](x)[:, 2].flatten(1).amax(dim=1)
    expected_values, expected_indices = response.topk(5)
    assert indices.tolist() == expected_indices.tolist()
    torch.testing.assert_close(values, expected_values)


def test_cascading_randomisation_leaves_the_model_alone_and_decorrelates_gradients() -> None:
    model, x = gap_network(), images()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    table = interpret.cascading_randomisation(
        model, {"saliency": lambda m: interpret.saliency(m, x, TARGETS)}, ["7", "3", "0"])
    assert table.randomised.tolist() == ["none", "7", "3", "0"]
    assert table.spearman.iloc[0] == pytest.approx(1.0)
    assert table.spearman.iloc[-1] < 0.9
    for name, value in model.state_dict().items():
        torch.testing.assert_close(value, before[name])


def test_an_unchanged_map_correlates_fully_even_when_it_is_constant() -> None:
    """A map that is all zero before and after (a Grad-CAM cut at zero) has not changed: 1, not 0."""
    model, x = gap_network(), images()
    zeros = torch.zeros(len(x), 5, 5)
    table = interpret.cascading_randomisation(
        model, {"blank": lambda m: zeros, "edges": lambda m: x[:, 0]}, ["7", "3"])
    assert (table.spearman == 1.0).all()
    # a constant map against one that varies ranks nothing: 0
    flip = {"n": 0}

    def blank_then_varied(m: nn.Module) -> torch.Tensor:
        flip["n"] += 1
        return zeros if flip["n"] == 1 else x[:, 0]

    table = interpret.cascading_randomisation(model, {"m": blank_then_varied}, ["7"])
    assert table.spearman.tolist() == [0.0, 0.0]


# --- clear errors -----------------------------------------------------------------------------


def test_a_layer_that_is_not_part_of_the_model_is_a_value_error() -> None:
    model, x = gap_network(), images()
    with pytest.raises(ValueError, match="layer must be one of the model's layers"):
        interpret.grad_cam(model, "head", x, 0)
    with pytest.raises(ValueError, match="layer must be one of the model's layers"):
        interpret.class_activation_map(model, nn.Conv2d(1, 1, 1), x, 0)
    with pytest.raises(ValueError, match="must output"):
        interpret.grad_cam(model, "6", x, 0)  # Flatten: no maps


@pytest.mark.parametrize("method", [interpret.saliency, interpret.smooth_grad, interpret.occlusion])
def test_a_target_out_of_range_is_a_value_error(method) -> None:
    with pytest.raises(ValueError, match="target must be a class index from 0 to 4, got 5"):
        method(gap_network(), images(), 5)
    with pytest.raises(ValueError, match="target must be one class index or one per input"):
        method(gap_network(), images(), [0, 1])
    with pytest.raises(TypeError, match="target must be an integer"):
        method(gap_network(), images(), 1.5)


def test_targets_out_of_range_for_cam_grad_cam_and_fgsm() -> None:
    model, x = gap_network(), images()
    with pytest.raises(ValueError, match="target must be a class index from 0 to 4, got -1"):
        interpret.grad_cam(model, "4", x, -1)
    with pytest.raises(ValueError, match="target must be a class index"):
        interpret.class_activation_map(model, "4", x, 9)
    with pytest.raises(ValueError, match="target must be a class index"):
        interpret.fgsm(model, x, torch.tensor([0, 1, 2, 7]), 0.1)
    with pytest.raises(ValueError, match="target must be an index from 0 to 4"):
        interpret.activation_maximisation(model, 5, shape=(1, 12, 12), steps=2)


def test_a_negative_epsilon_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="epsilon must be a number of at least 0, got -0.1"):
        interpret.fgsm(gap_network(), images(), torch.tensor(TARGETS), -0.1)
    with pytest.raises(TypeError, match="epsilon must be a number"):
        interpret.fgsm(gap_network(), images(), torch.tensor(TARGETS), "0.1")


def test_other_bad_arguments() -> None:
    model, x = gap_network(), images()
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        interpret.saliency("model", x, 0)
    with pytest.raises(ValueError, match=r"inputs must be a \(N, C, H, W\) tensor with 4 dimensions"):
        interpret.saliency(model, x[0], 0)
    with pytest.raises(ValueError, match="window must fit"):
        interpret.occlusion(model, x, 0, window=13)
    with pytest.raises(ValueError, match="stride must be at most the window"):
        interpret.occlusion(model, x, 0, window=2, stride=3)
    with pytest.raises(ValueError, match="stdev must be a number of at least 0"):
        interpret.smooth_grad(model, x, 0, stdev=-1.0)
    with pytest.raises(ValueError, match="linear must take the 6 channels"):
        interpret.class_activation_map(model, "1", x, 0)
    with pytest.raises(TypeError, match="linear must be an nn.Linear"):
        interpret.class_activation_map(model, "4", x, 0, linear="3")
    with pytest.raises(ValueError, match="channel must be below the 8 channels"):
        interpret.top_activating(model, "4", x, channel=8, k=2)
    with pytest.raises(ValueError, match="layers must have weights"):
        interpret.cascading_randomisation(model, {}, ["1"])
    with pytest.raises(ValueError, match="l2 must be a number of at least 0"):
        interpret.activation_maximisation(model, 0, shape=(1, 12, 12), l2=-1.0)
