#!/usr/bin/python3
"""The bench's three networks in PyTorch, exported to ONNX for bench/compare.sh's ONNX Runtime peer.

Run from anywhere with the system Python (Debian's python3-torch 1.13 and python3-onnx):

    /usr/bin/python3 tools/bench_onnx.py

It rewrites bench/onnx/lenet5.onnx, bench/onnx/vgg-small.onnx and bench/onnx/resnet20.onnx (and
nothing else). The files are committed, so running the comparison needs no Python; the ONNX
Runtime peer (bench/peers/ort) reads them.

The modules below are conv4j's zoo networks as `conv4j bench` builds them (lenet5 at 1x28x28,
vgg_small and resnet20 at 3x32x32, 10 classes), layer for layer in the same order with the same
shapes, padding, strides and bias flags, and with the zoo's (torchvision's) child names:
    LeNet5     org.conv4j.zoo.LeNet5
    VGGSmall   org.conv4j.zoo.VGG#small
    ResNet20   org.conv4j.zoo.ResNet#cifar(20, ...), projection shortcuts (1x1 conv + BN, option B)
conv4j-onnx's BenchOnnxTest imports each file and checks that its parameter count and FLOPs are
the zoo network's (less the batch norms PyTorch folds, see below) and that conv4j's output on it
is ONNX Runtime's.

Export: torch.onnx.export in eval mode, opset 13, do_constant_folding=True. The BatchNorm layers
stay in the modules, as in a real team's model; in eval mode the exporter folds each of them into
the convolution before it (scaled weights and a bias), as it does for any model, so the files have
no BatchNormalization node (ONNX Runtime would fold them at session creation anyway). Input
"input", (N, C, H, W) float32; output "output", (N, 10) logits; the batch axis N is dynamic, so
batch 1 and batch 64 both run.

Weights: torch.manual_seed(0) per network, then the zoo's initialization (convolutions
kaiming_normal_ fan_out/relu with zero bias in VGG-small and ResNet-20, PyTorch's defaults
elsewhere); BatchNorm statistics and affine parameters are drawn at random, as a trained
network's would be, so that the folding changes the weights. The values do not matter to the
speed; they are fixed so that re-running the script gives the same files.
"""
import io
import os

import onnx
import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "onnx")
OPSET = 13

torch.set_num_threads(1)


class LeNet5(nn.Module):
    """features: 0 Conv(C, 6, 5, pad 2) 1 ReLU 2 MaxPool(2) 3 Conv(6, 16, 5) 4 ReLU 5 MaxPool(2);
    flatten; classifier: 0 Linear(400, 120) 1 ReLU 2 Linear(120, 84) 3 ReLU 4 Linear(84, classes)."""

    def __init__(self, channels=1, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(channels, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, classes))

    def forward(self, x):
        return self.classifier(self.flatten(self.features(x)))


class VGGSmall(nn.Module):
    """features: [Conv(., 32, 3, pad 1) (with bias, as the zoo's), BN, ReLU] x2, MaxPool(2),
    [Conv(., 64, 3, pad 1), BN, ReLU] x2, MaxPool(2); flatten; classifier: 0 Linear(64*8*8, 256)
    1 ReLU 2 Linear(256, classes)."""

    def __init__(self, channels=3, classes=10):
        super().__init__()

        def block(i, o):
            return [nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.ReLU()]

        self.features = nn.Sequential(*block(channels, 32), *block(32, 32), nn.MaxPool2d(2),
                                      *block(32, 64), *block(64, 64), nn.MaxPool2d(2))
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(nn.Linear(64 * 8 * 8, 256), nn.ReLU(), nn.Linear(256, classes))

    def forward(self, x):
        return self.classifier(self.flatten(self.features(x)))


class BasicBlock(nn.Module):
    """relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)); the shortcut is the identity, or
    downsample = Sequential(Conv 1x1 stride s without bias, BN) where the shape changes (the zoo's
    option B). Every convolution is bias-free."""

    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride=stride, bias=False),
                                            nn.BatchNorm2d(planes))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet20(nn.Module):
    """conv1 3x3 pad 1 (16, no bias), bn1, relu; layer1..3: 3 BasicBlocks each at 16, 32, 64
    planes, the first of layer2 and layer3 with stride 2 and a projection shortcut; avgpool
    (global), flatten, fc(64, classes)."""

    def __init__(self, channels=3, classes=10, n=3):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU()
        inplanes, layers = 16, []
        for stage, planes in enumerate((16, 32, 64)):
            blocks = []
            for b in range(n):
                blocks.append(BasicBlock(inplanes, planes, 2 if b == 0 and stage > 0 else 1))
                inplanes = planes
            layers.append(nn.Sequential(*blocks))
        self.layer1, self.layer2, self.layer3 = layers
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.flatten(self.avgpool(x)))


def kaiming_convs(model):
    """The zoo's convolution init for VGG-small and ResNet (torchvision's): kaiming_normal_
    fan_out/relu, zero bias."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def randomize_bn(model):
    """Statistics and affine parameters as a trained network might have them, so folding is not the identity."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)


def export(name, make, shape, kaiming):
    torch.manual_seed(0)
    model = make()
    if kaiming:
        kaiming_convs(model)
    randomize_bn(model)
    model.eval()  # eval mode: the exporter folds every BatchNorm into its convolution
    buf = io.BytesIO()
    torch.onnx.export(model, torch.randn(2, *shape), buf, opset_version=OPSET, do_constant_folding=True,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    onnx_model = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(onnx_model, full_check=True)
    ops = sorted({n.op_type for n in onnx_model.graph.node})
    if "BatchNormalization" in ops:
        raise SystemExit(f"{name}: the exporter left a BatchNormalization node; expected it folded")
    path = os.path.join(OUT, name + ".onnx")
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    params = sum(p.numel() for p in model.parameters())
    print(f"{path}: {os.path.getsize(path):,} bytes, {params:,} PyTorch parameters (BN included), "
          f"{len(onnx_model.graph.node)} nodes: {' '.join(ops)}")


def main():
    os.makedirs(OUT, exist_ok=True)
    export("lenet5", LeNet5, (1, 28, 28), kaiming=False)
    export("vgg-small", VGGSmall, (3, 32, 32), kaiming=True)
    export("resnet20", ResNet20, (3, 32, 32), kaiming=True)


if __name__ == "__main__":
    main()
