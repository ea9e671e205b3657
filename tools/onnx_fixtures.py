#!/usr/bin/python3
"""ONNX import fixtures for conv4j-onnx, exported by PyTorch (Debian's python3-torch, 1.13).

Run from anywhere with the system Python (python3-torch, python3-torchvision, python3-onnx):

    /usr/bin/python3 tools/onnx_fixtures.py

It rewrites conv4j-onnx/src/test/resources/onnx/ (and only that folder). The files are
committed, so the Java build never needs Python; OnnxFixturesTest reads them.

Each case NAME is three files, in ONNX's own test-data format:
    NAME.onnx          the model, torch.onnx.export at opset 13 in eval mode (or, for the
                       attributes PyTorch never writes, a graph built with onnx.helper)
    NAME.input.pb      the input, a serialized onnx.TensorProto (float32, raw_data)
    NAME.output.pb     PyTorch's float32 output for it, same format
and index.txt lists the case names, one a line.

Weights are random, drawn from torch.manual_seed(CRC-32 of the case name), so re-running gives
the same files and adding a case leaves the others unchanged. BatchNorm's running statistics
and affine parameters are randomized too, so eval-mode BN is not the identity. Models are
exported with a dynamic batch axis (so x.view(x.size(0), -1) leaves PyTorch's
Shape/Gather/Unsqueeze/Concat/Reshape pattern in the graph), except the "_static" cases.

Sizes kept small (the committed folder stays a few tens of MB):
    vgg11_bn_narrow   torchvision's VGG class and make_layers with vgg11_bn's layer pattern at
                      1/8 of the channels and a 128-wide classifier; 224x224 input, because
                      PyTorch exports AdaptiveAvgPool2d((7, 7)) only where 7 divides the size
    resnet18_narrow   torchvision's ResNet class with BasicBlock, [2, 2, 2, 2] (ResNet-18's
                      exact topology) at 1/4 of the channels (16..128), 10 classes
    googlenet         torchvision's googlenet, full width, aux_logits and transform_input off,
                      10 classes, a 64x64 input
"""
import io
import os
import zlib

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from onnx import TensorProto, helper, numpy_helper
from torchvision.models.resnet import BasicBlock, ResNet
from torchvision.models.vgg import VGG, make_layers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "conv4j-onnx", "src", "test", "resources", "onnx")
OPSET = 13

torch.set_num_threads(1)
CASES = []


def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))


def randomize_bn(model):
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            with torch.no_grad():
                m.running_mean.normal_(0, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.1)


def save_tensor(path, array):
    with open(path, "wb") as f:
        f.write(numpy_helper.from_array(np.ascontiguousarray(array, dtype=np.float32)).SerializeToString())


def save(name, model_bytes, x, y):
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(model_bytes)
    save_tensor(os.path.join(OUT, name + ".input.pb"), x)
    save_tensor(os.path.join(OUT, name + ".output.pb"), y)
    onnx.checker.check_model(onnx.load_from_string(model_bytes))
    CASES.append(name)


def export(name, model, shape, dynamic=True, keep_bn=False):
    """Exports a PyTorch module in eval mode; the expected output is the module's own.

    In eval mode the exporter folds each BatchNorm into the Conv before it; keep_bn exports with
    TrainingMode.PRESERVE (the module still in eval mode) so BatchNormalization nodes remain."""
    seed(name)
    model = model() if callable(model) and not isinstance(model, nn.Module) else model
    randomize_bn(model)
    model.eval()
    x = torch.randn(*shape)
    with torch.no_grad():
        y = model(x)
    buf = io.BytesIO()
    axes = {"input": {0: "N"}, "output": {0: "N"}} if dynamic else None
    torch.onnx.export(model, x, buf, opset_version=OPSET, input_names=["input"],
                      output_names=["output"], dynamic_axes=axes, do_constant_folding=True,
                      training=torch.onnx.TrainingMode.PRESERVE if keep_bn else torch.onnx.TrainingMode.EVAL)
    save(name, buf.getvalue(), x.numpy(), y.numpy())


def handmade(name, nodes, x, y, initializers=()):
    """A one-input graph built with onnx.helper, for attributes PyTorch does not write."""
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, list(x.shape))],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, list(y.shape))],
        [numpy_helper.from_array(np.asarray(a, dtype=np.float32), n) for n, a in initializers])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="conv4j tools/onnx_fixtures.py")
    save(name, model.SerializeToString(), x, y)


class Seq(nn.Module):
    """A chain of modules and plain functions."""

    def __init__(self, *steps):
        super().__init__()
        self.mods = nn.ModuleList([s for s in steps if isinstance(s, nn.Module)])
        self.steps = steps

    def forward(self, x):
        for s in self.steps:
            x = s(x)
        return x


class LeNet5(nn.Module):
    def __init__(self, view="size0"):
        super().__init__()
        self.view = view
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(torch.tanh(self.conv1(x)), 2)
        x = F.avg_pool2d(torch.relu(self.conv2(x)), 2)
        if self.view == "size0":
            x = x.view(x.size(0), -1)
        elif self.view == "minus1":
            x = x.view(-1, 16 * 5 * 5)
        elif self.view == "shape0":
            x = x.reshape(x.shape[0], 16 * 5 * 5)
        else:
            x = torch.flatten(x, 1)
        x = torch.sigmoid(self.fc1(x))
        return self.fc3(F.relu(self.fc2(x)))


class Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)
        self.bn = nn.BatchNorm2d(4)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)) + x)


class Branches(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 2, 1)
        self.b = nn.Conv2d(3, 5, 3, padding=1)
        self.c = nn.MaxPool2d(3, 1, padding=1)

    def forward(self, x):
        return torch.cat([self.a(x), F.relu(self.b(x)), self.c(x)], 1)


class MatMulAdd(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(12, 5))
        self.b = nn.Parameter(torch.randn(5))

    def forward(self, x):
        return torch.matmul(x, self.w) + self.b


def narrow_resnet18():
    class NarrowResNet(ResNet):
        """ResNet-18's blocks at a quarter of the width: the stem and every layer's planes / 4."""

        def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
            if planes == 64:
                self.inplanes = 16
            return super()._make_layer(block, planes // 4, blocks, stride, dilate)

    m = NarrowResNet(BasicBlock, [2, 2, 2, 2], num_classes=10)
    m.conv1 = nn.Conv2d(3, 16, 7, 2, 3, bias=False)
    m.bn1 = nn.BatchNorm2d(16)
    m.fc = nn.Linear(128, 10)
    nn.init.kaiming_normal_(m.conv1.weight, mode="fan_out", nonlinearity="relu")
    return m


def narrow_vgg11_bn():
    cfg = [8, "M", 16, "M", 32, 32, "M", 64, 64, "M", 64, 64, "M"]  # vgg11 "A" / 8
    m = VGG(make_layers(cfg, batch_norm=True), num_classes=10)
    m.classifier = nn.Sequential(
        nn.Linear(64 * 7 * 7, 128), nn.ReLU(True), nn.Dropout(),
        nn.Linear(128, 128), nn.ReLU(True), nn.Dropout(), nn.Linear(128, 10))
    return m


def models():
    export("lenet5", lambda: LeNet5("size0"), (2, 1, 28, 28))
    export("lenet5_static", lambda: LeNet5("size0"), (2, 1, 28, 28), dynamic=False)
    export("lenet5_view_minus1", lambda: LeNet5("minus1"), (2, 1, 28, 28))
    export("lenet5_reshape_shape0", lambda: LeNet5("shape0"), (2, 1, 28, 28))
    export("lenet5_flatten", lambda: LeNet5("flatten"), (2, 1, 28, 28))
    export("vgg11_bn_narrow", narrow_vgg11_bn, (1, 3, 224, 224), keep_bn=True)
    export("resnet18_narrow", narrow_resnet18, (1, 3, 64, 64))
    export("resnet18_narrow_bn", narrow_resnet18, (1, 3, 64, 64), keep_bn=True)
    export("googlenet", lambda: torchvision.models.googlenet(
        weights=None, aux_logits=False, transform_input=False, init_weights=True, num_classes=10),
        (1, 3, 64, 64))


def operators():
    export("conv_pads_strides_dilations", lambda: nn.Conv2d(3, 4, 3, stride=(2, 1), padding=(1, 2), dilation=(2, 1)), (2, 3, 9, 8))
    export("conv_group", lambda: nn.Conv2d(4, 6, 3, groups=2, bias=False), (2, 4, 6, 6))
    export("conv_depthwise", lambda: nn.Conv2d(3, 3, 3, groups=3, padding=1), (2, 3, 5, 7))
    export("pad_reflect_conv", lambda: nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode="reflect"), (2, 2, 6, 7))
    export("pad_edge_conv", lambda: nn.Conv2d(2, 3, 3, padding=1, padding_mode="replicate"), (2, 2, 5, 5))
    export("pad_constant_conv", lambda: Seq(lambda x: F.pad(x, (1, 2, 0, 1)), nn.Conv2d(2, 3, 3)), (2, 2, 5, 6))
    export("maxpool_ceil_pads", lambda: nn.MaxPool2d(3, 2, padding=1, ceil_mode=True), (2, 3, 8, 9))
    export("maxpool_dilation", lambda: nn.MaxPool2d(2, stride=1, dilation=2), (2, 2, 6, 6))
    export("avgpool_include_pad", lambda: nn.AvgPool2d(3, 2, padding=1, ceil_mode=True), (2, 3, 8, 9))
    export("avgpool_exclude_pad", lambda: nn.AvgPool2d(3, 2, padding=1, ceil_mode=True, count_include_pad=False), (2, 3, 8, 9))
    export("avgpool_plain", lambda: nn.AvgPool2d((2, 3), (1, 2)), (2, 3, 6, 7))
    export("global_avgpool", lambda: Seq(nn.Conv2d(3, 4, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten()), (2, 3, 5, 4))
    export("gemm", lambda: nn.Linear(7, 4), (3, 7))
    export("gemm_no_bias", lambda: nn.Linear(7, 4, bias=False), (3, 7))
    export("matmul_add", MatMulAdd, (3, 12))
    export("flatten_linear", lambda: Seq(nn.Conv2d(2, 3, 3), nn.Flatten(), nn.Linear(3 * 3 * 3, 5)), (2, 2, 5, 5))
    export("relu", nn.ReLU, (2, 3, 4, 4))
    export("leaky_relu", lambda: nn.LeakyReLU(0.2), (2, 3, 4, 4))
    export("sigmoid", nn.Sigmoid, (2, 6))
    export("tanh", nn.Tanh, (2, 3, 4, 4))
    export("softmax_2d", lambda: nn.Softmax(1), (3, 7))
    export("softmax_channels", lambda: nn.Softmax(1), (2, 4, 3, 3))
    export("softmax_last", lambda: nn.Softmax(-1), (2, 4, 3, 5))
    export("batchnorm2d", lambda: Seq(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4, eps=1e-3)), (2, 3, 6, 6), keep_bn=True)
    export("conv_bn_folded", lambda: Seq(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU()), (2, 3, 6, 6))
    export("batchnorm1d", lambda: Seq(nn.Linear(6, 5), nn.BatchNorm1d(5)), (4, 6))
    export("add_residual", Residual, (2, 4, 5, 5), keep_bn=True)
    export("concat_branches", Branches, (2, 3, 6, 6))
    handmade_cases()


def handmade_cases():
    rng = np.random.default_rng(zlib.crc32(b"handmade"))

    def arr(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    # Conv auto_pad: SAME_UPPER puts an odd extra pixel at the end, SAME_LOWER at the start
    x, w, b = arr(2, 2, 7, 6), arr(3, 2, 4, 3), arr(3)
    # stride 2 on 7x6: out 4x3, total pad H = (4-1)*2+4-7 = 3, W = (3-1)*2+3-6 = 1
    for mode, (top, bottom, left, right) in (("SAME_UPPER", (1, 2, 0, 1)), ("SAME_LOWER", (2, 1, 1, 0))):
        y = F.conv2d(F.pad(torch.from_numpy(x), (left, right, top, bottom)), torch.from_numpy(w), torch.from_numpy(b), stride=2)
        handmade("conv_auto_pad_" + mode.lower(), [helper.make_node(
            "Conv", ["input", "w", "b"], ["output"], name="conv", auto_pad=mode, strides=[2, 2], kernel_shape=[4, 3])],
            x, y.numpy(), [("w", w), ("b", b)])
    y = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b), stride=2)
    handmade("conv_auto_pad_valid", [helper.make_node(
        "Conv", ["input", "w", "b"], ["output"], name="conv", auto_pad="VALID", strides=[2, 2])],
        x, y.numpy(), [("w", w), ("b", b)])

    # Gemm with transB=0 and alpha/beta; the bias stored as float_data instead of raw_data
    x, w, b = arr(3, 6), arr(6, 4), arr(4)
    y = 0.5 * (x @ w) + 2.0 * b
    graph = [helper.make_node("Gemm", ["input", "w", "b"], ["output"], name="gemm", alpha=0.5, beta=2.0, transB=0)]
    handmade("gemm_alpha_beta", graph, x, y.astype(np.float32), [("w", w), ("b", b)])
    model = onnx.load_from_string(open(os.path.join(OUT, "gemm_alpha_beta.onnx"), "rb").read())
    for t in model.graph.initializer:
        values = numpy_helper.to_array(t).flatten().tolist()
        t.ClearField("raw_data")
        t.float_data.extend(values)
    with open(os.path.join(OUT, "gemm_float_data.onnx"), "wb") as f:
        f.write(model.SerializeToString())
    for suffix in (".input.pb", ".output.pb"):
        with open(os.path.join(OUT, "gemm_alpha_beta" + suffix), "rb") as src, open(os.path.join(OUT, "gemm_float_data" + suffix), "wb") as dst:
            dst.write(src.read())
    CASES.append("gemm_float_data")

    # Dropout (ratio as an input, opset 12+) and Identity, both the identity at inference
    x = arr(2, 5)
    handmade("dropout_identity", [
        helper.make_node("Constant", [], ["ratio"], name="ratio", value=numpy_helper.from_array(np.array(0.3, dtype=np.float32))),
        helper.make_node("Dropout", ["input", "ratio"], ["d"], name="dropout"),
        helper.make_node("Identity", ["d"], ["i"], name="identity"),
        helper.make_node("Relu", ["i"], ["output"], name="relu")], x, np.maximum(x, 0))


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    models()
    operators()
    with open(os.path.join(OUT, "index.txt"), "w") as f:
        f.write("\n".join(sorted(CASES)) + "\n")
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(len(CASES), "cases,", total // 1024, "KiB")


if __name__ == "__main__":
    main()
