#!/usr/bin/python3
"""Fixtures for loading PyTorch weights into conv4j's zoo: torchvision models with random weights.

    /usr/bin/python3 tools/pytorch_zoo_fixtures.py

writes conv4j-core/src/test/resources/pytorch/ (and only that folder), for each case NAME:
    NAME.safetensors      the model's state_dict (tools/torch_to_safetensors.py's format, the
                          same as safetensors.torch.save_file: F32 tensors, I64 num_batches_tracked)
    NAME.io.safetensors   x: an input batch; y: the model's logits in eval mode
The Java tests (org.conv4j.io.PyTorchWeightsTest) load the weights into the conv4j model of the
same architecture (the zoo's resnet18 and googlenet; VGG.build and a narrowed AlexNet for the
small_ cases, width-reduced from torchvision's own classes) and compare the logits; the build
never needs Python.

Weights: torchvision's own random initialization (weights=None) under torch.manual_seed, then
every BatchNorm's weight, bias and running statistics are redrawn so that eval-mode BatchNorm is
not the identity. As in tools/pytorch_fixtures.py, y is computed in float64 from the float32
weights and input and rounded to float32, and the script checks that float32 PyTorch agrees
within the Java test's tolerance, |a - e| <= 1e-4 * max|e| (relative to the largest logit).
"""
import os
import sys

import torch
import torch.nn as nn
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_to_safetensors import save_file  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "conv4j-core", "src", "test", "resources", "pytorch")
TOL = 1e-4

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def randomize_batchnorm(model, g):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.weight.copy_(torch.rand(c, generator=g) + 0.5)
                m.bias.copy_(torch.rand(c, generator=g) * 0.4 - 0.2)
                m.running_mean.copy_(torch.rand(c, generator=g) * 0.4 - 0.2)
                m.running_var.copy_(torch.rand(c, generator=g) + 0.5)
                m.num_batches_tracked.fill_(int(torch.randint(1, 1000, (1,), generator=g)))


def case(name, model, x_shape, seed):
    g = torch.Generator().manual_seed(seed)
    randomize_batchnorm(model, g)
    model.eval()
    x = torch.rand(x_shape, generator=g) * 2 - 1
    with torch.no_grad():
        y64 = model.double()(x.double()).float()
        y32 = model.float()(x)
    scale = float(y64.abs().max())
    err = float((y32 - y64).abs().max()) / scale
    assert err <= TOL, "%s: float32 PyTorch misses float64 by %g relative" % (name, err)
    save_file(model.state_dict(), os.path.join(OUT, name + ".safetensors"))
    save_file({"x": x, "y": y64}, os.path.join(OUT, name + ".io.safetensors"))
    print("%s: %d tensors, input %s, logits %s, max |y| %.3g, float32 PyTorch off by %.2g relative"
          % (name, len(model.state_dict()), tuple(x.shape), tuple(y64.shape), scale, err))


def small_vgg11_bn():
    """torchvision's VGG class with VGG-11's layout ("A") at 1/8 of the filters and a 64-unit classifier."""
    from torchvision.models.vgg import VGG, make_layers
    m = VGG(make_layers([8, "M", 16, "M", 32, 32, "M", 64, 64, "M", 64, 64, "M"], batch_norm=True), num_classes=5)
    m.classifier = nn.Sequential(nn.Linear(64 * 7 * 7, 64), nn.ReLU(True), nn.Dropout(), nn.Linear(64, 64),
                                 nn.ReLU(True), nn.Dropout(), nn.Linear(64, 5))
    return m


def small_alexnet():
    """torchvision's AlexNet class with every conv and Linear narrowed (same modules, same indices)."""
    m = torchvision.models.AlexNet(num_classes=5)
    for i, (cin, cout, k, s, p) in {0: (3, 16, 11, 4, 2), 3: (16, 24, 5, 1, 2), 6: (24, 32, 3, 1, 1),
                                    8: (32, 16, 3, 1, 1), 10: (16, 16, 3, 1, 1)}.items():
        m.features[i] = nn.Conv2d(cin, cout, k, s, p)
    m.classifier[1] = nn.Linear(16 * 6 * 6, 32)
    m.classifier[4] = nn.Linear(32, 32)
    m.classifier[6] = nn.Linear(32, 5)
    return m


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(18)
    case("resnet18", torchvision.models.resnet18(weights=None), (2, 3, 64, 64), 18)
    torch.manual_seed(22)
    case("googlenet", torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True, num_classes=10),
         (2, 3, 64, 64), 22)
    # width-reduced, from torchvision's classes: the full ones hold 0.5 GB (VGG-11-BN) and 0.25 GB (AlexNet)
    torch.manual_seed(11)
    case("small_vgg11_bn", small_vgg11_bn(), (2, 3, 32, 32), 11)   # the minimum: a 1x1 map repeated 7x7
    torch.manual_seed(5)
    case("small_alexnet", small_alexnet(), (2, 3, 127, 100), 5)   # a 3x2 map pooled to 6x6


if __name__ == "__main__":
    main()
