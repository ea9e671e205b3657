#!/usr/bin/python3
"""Fixtures for loading PyTorch weights into conv4j's zoo: torchvision models with random weights.

    /usr/bin/python3 tools/pytorch_zoo_fixtures.py

writes conv4j-core/src/test/resources/pytorch/ (and only that folder), for each case NAME:
    NAME.safetensors      the model's state_dict (tools/torch_to_safetensors.py's format, the
                          same as safetensors.torch.save_file: F32 tensors, I64 num_batches_tracked)
    NAME.io.safetensors   x: an input batch; y: the model's logits in eval mode
The Java tests (org.conv4j.io.PyTorchWeightsTest) load the weights into the zoo model of the
same architecture and compare the logits; the build never needs Python.

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


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(18)
    case("resnet18", torchvision.models.resnet18(weights=None), (2, 3, 64, 64), 18)
    torch.manual_seed(22)
    case("googlenet", torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True, num_classes=10),
         (2, 3, 64, 64), 22)


if __name__ == "__main__":
    main()
