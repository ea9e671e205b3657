#!/usr/bin/python3
"""Golden fixtures for conv4j, computed with PyTorch (Debian's python3-torch, 1.13).

Run from anywhere with the system Python:

    /usr/bin/python3 tools/pytorch_fixtures.py

It rewrites conv4j-core/src/test/resources/fixtures/ (and only that folder). The files are
committed, so the Java build never needs Python; the golden tests in
conv4j-core/src/test/java/org/conv4j/golden/ read them with the JDK alone.

File format (one UTF-8 text file per case, fixtures/<family>/<case>.txt)
-------------------------------------------------------------------------
- Lines starting with '#' are comments.
- The first other line is the header: space-separated key=value pairs, no spaces inside a
  value; lists are comma-separated ("kernel=3,2"). Every header has "layer=" (the PyTorch
  class) and "case=" (the file's name without ".txt"); the other keys are per family and
  listed in tools/README.md.
- Then tensors, each as two lines:
      tensor NAME d0 d1 ...
      v0 v1 v2 ...            (row-major, printed "%.9g", which round-trips float32)
  A scalar (a loss) is stored with shape (1).
- fixtures/index.txt lists every case file, one "<family>/<case>.txt" a line, sorted.

Tensor names
------------
    x          the input (a loss's prediction / logits)
    <param>    a parameter or buffer value to load before the step ("weight", "bias",
               "running_mean", "running_var"), PyTorch names
    y          the output
    dy         a random upstream gradient; the step is y.backward(dy)
    dx         dL/dx
    d<param>   the gradient of a trainable parameter ("dweight", "dbias")
    <buffer>_after  a buffer after the step (BatchNorm's running statistics in train mode)
    target     a loss's target: class indices (integers stored as floats) or rows
    loss       a loss's mean value; dx is then d(loss)/dx (no dy)
Eval-mode cases (mode=eval) carry no gradients: conv4j's EVAL forward keeps nothing for a
backward (DESIGN "Layers").

Numbers
-------
Every input, parameter and dy is a float32 value drawn from a generator seeded by the case's
name (CRC-32), so adding a case leaves the others unchanged and re-running gives identical
files. The reference is computed in float64 from those exact float32 values and rounded to
float32, so the fixture carries none of PyTorch's own float32 rounding: the whole tolerance
is left to the implementation under test. As a check that the tolerances are fair to a
float32 implementation, the same step is also run in float32 and must agree with the
float64 result within |a - e| <= tol * max(1, |e|), tol = 1e-5 for outputs and losses and
1e-4 for gradients and updated buffers (the tolerances the Java tests use).
"""
import os
import warnings
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "conv4j-core", "src", "test", "resources", "fixtures")
OUT_TOL = 1e-5
GRAD_TOL = 1e-4

torch.set_num_threads(1)  # a fixed reduction order, so re-runs are bit-identical
torch.use_deterministic_algorithms(True)
# PyTorch notes that 'same' with an even kernel pads a copy of the input; that is the point here.
warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")


def fmt(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (tuple, list)):
        return ",".join(fmt(e) for e in v)
    s = str(v)
    assert " " not in s and "=" not in s, s
    return s


class Rng:
    """float32 draws from a generator seeded by the case name."""

    def __init__(self, name):
        self.g = torch.Generator().manual_seed(zlib.crc32(name.encode("utf-8")))

    def uniform(self, shape, lo=-1.0, hi=1.0):
        return (torch.rand(shape, generator=self.g, dtype=torch.float64) * (hi - lo) + lo).float()

    def randint(self, hi, shape):
        return torch.randint(0, hi, shape, generator=self.g)

    def kaiming(self, shape, fan_in):
        """PyTorch's default Conv/Linear scale, U(-1/sqrt(fan_in), 1/sqrt(fan_in))."""
        b = fan_in ** -0.5
        return self.uniform(shape, -b, b)


def check_close(case, what, expected, actual, tol):
    e, a = expected.double(), actual.double()
    bad = (a - e).abs() > tol * e.abs().clamp(min=1.0)
    if bad.any():
        i = int(bad.flatten().nonzero()[0])
        raise AssertionError("%s: float32 PyTorch misses float64 on %s[%d]: %r vs %r (tol %g)"
                             % (case, what, i, float(a.flatten()[i]), float(e.flatten()[i]), tol))


class Writer:
    def __init__(self):
        self.index = []
        self.bytes = 0

    def write(self, family, case, header, tensors):
        lines = ["# conv4j golden fixture from tools/pytorch_fixtures.py; regenerate, do not edit",
                 " ".join("%s=%s" % (k, fmt(v)) for k, v in [("layer", header.pop("layer")), ("case", case)]
                          + list(header.items()))]
        for name, t in tensors:
            t = t.detach().to(torch.float32).contiguous()
            dims = list(t.shape) if t.dim() > 0 else [1]
            lines.append("tensor %s %s" % (name, " ".join(str(d) for d in dims)))
            lines.append(" ".join("%.9g" % v for v in t.flatten().tolist()))
        text = "\n".join(lines) + "\n"
        d = os.path.join(OUT, family)
        os.makedirs(d, exist_ok=True)
        path = "%s/%s.txt" % (family, case)
        assert path not in self.index, path
        with open(os.path.join(OUT, path), "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        self.index.append(path)
        self.bytes += len(text)

    def finish(self):
        with open(os.path.join(OUT, "index.txt"), "w", encoding="utf-8", newline="\n") as f:
            f.write("".join(p + "\n" for p in sorted(self.index)))


W = Writer()


def layer_case(family, case, header, build, x, params, buffers=(), train=True, dy=None, rng=None):
    """Runs build(dtype) -> (module, {name: tensor}) on x with the given parameter values.

    params: ordered (name, float32 value) of trainable parameters; buffers likewise.
    train: train mode with a backward of a random dy; eval mode forward only.
    """
    results = {}
    for dtype in (torch.float64, torch.float32):
        module, named = build(dtype)
        module.train(train)
        with torch.no_grad():
            for name, v in list(params) + list(buffers):
                named[name].copy_(v.to(dtype))
        xx = x.to(dtype).clone().requires_grad_(train)
        y = module(xx)
        r = {"y": y.detach()}
        if train:
            if dy is None:
                dy = rng.uniform(tuple(y.shape))
            y.backward(dy.to(dtype))
            r["dx"] = xx.grad
            for name, _ in params:
                r["d" + name] = named[name].grad
            for name, _ in buffers:
                r[name + "_after"] = named[name].detach().clone()
        results[dtype] = r
    ref, f32 = results[torch.float64], results[torch.float32]
    for k in ref:
        check_close(case, k, ref[k], f32[k], OUT_TOL if k == "y" else GRAD_TOL)
    tensors = [("x", x)] + list(params) + list(buffers) + [("y", ref["y"])]
    if train:
        tensors.append(("dy", dy))
        tensors.append(("dx", ref["dx"]))
        tensors += [("d" + n, ref["d" + n]) for n, _ in params]
        tensors += [(n + "_after", ref[n + "_after"]) for n, _ in buffers]
    header = dict(header)
    if "mode" not in header:
        header["mode"] = "train" if train else "eval"
    W.write(family, case, header, tensors)


def loss_case(family, case, header, fn, x, target):
    """fn(x, target) -> mean loss; stores x, target, loss and dx = d(loss)/dx."""
    results = {}
    for dtype in (torch.float64, torch.float32):
        xx = x.to(dtype).clone().requires_grad_(True)
        t = target if target.dtype == torch.int64 else target.to(dtype)
        loss = fn(xx, t)
        loss.backward()
        results[dtype] = {"loss": loss.detach().reshape(1), "dx": xx.grad}
    ref, f32 = results[torch.float64], results[torch.float32]
    check_close(case, "loss", ref["loss"], f32["loss"], OUT_TOL)
    check_close(case, "dx", ref["dx"], f32["dx"], GRAD_TOL)
    W.write(family, case, dict(header), [("x", x), ("target", target.to(torch.float64)),
                                         ("loss", ref["loss"]), ("dx", ref["dx"])])


# ---------------------------------------------------------------------------------------
# Conv2d
#
# Header: in_channels out_channels kernel=kh,kw stride=sh,sw padding=top,bottom,left,right
# (the padding actually applied) padding_arg=int|pair|asym|same|valid (how it was given to
# PyTorch: asym means F.pad then a convolution with padding 0) dilation=dh,dw groups
# bias=true|false padding_mode=zeros|reflect|replicate|circular.
# ---------------------------------------------------------------------------------------

def pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def conv2d(case, n, cin, cout, h, w, k, stride=1, padding=0, dilation=1, groups=1, bias=True,
           mode="zeros"):
    rng = Rng("conv2d/" + case)
    kh, kw = pair(k)
    sh, sw = pair(stride)
    dh, dw = pair(dilation)
    if isinstance(padding, str):
        arg = padding
        if padding == "same":
            th, tw = dh * (kh - 1), dw * (kw - 1)
            pad4 = (th // 2, th - th // 2, tw // 2, tw - tw // 2)
        else:
            pad4 = (0, 0, 0, 0)
    elif isinstance(padding, (tuple, list)) and len(padding) == 4:
        arg = "asym"
        pad4 = tuple(padding)
    elif isinstance(padding, (tuple, list)):
        arg = "pair"
        pad4 = (padding[0], padding[0], padding[1], padding[1])
    else:
        arg = "int"
        pad4 = (padding,) * 4
    fan_in = cin // groups * kh * kw
    x = rng.uniform((n, cin, h, w))
    params = [("weight", rng.kaiming((cout, cin // groups, kh, kw), fan_in))]
    if bias:
        params.append(("bias", rng.kaiming((cout,), fan_in)))

    def build(dtype):
        if arg == "asym":
            conv = nn.Conv2d(cin, cout, (kh, kw), (sh, sw), 0, (dh, dw), groups, bias).to(dtype)
            t, b, l, r = pad4
            fmode = "constant" if mode == "zeros" else mode

            class Padded(nn.Module):
                def forward(self, x):
                    return conv(F.pad(x, (l, r, t, b), mode=fmode))

            module = Padded()
        else:
            p = padding if isinstance(padding, str) else pair(padding)
            conv = nn.Conv2d(cin, cout, (kh, kw), (sh, sw), p, (dh, dw), groups, bias, padding_mode=mode).to(dtype)
            module = conv
        named = {"weight": conv.weight}
        if bias:
            named["bias"] = conv.bias
        return module, named

    header = {"layer": "Conv2d", "in_channels": cin, "out_channels": cout, "kernel": (kh, kw),
              "stride": (sh, sw), "padding": pad4, "padding_arg": arg, "dilation": (dh, dw),
              "groups": groups, "bias": bias, "padding_mode": mode}
    layer_case("conv2d", case, header, build, x, params, rng=rng)


def conv2d_cases():
    # kernel sizes 1..5, square and not
    conv2d("k1", 2, 3, 4, 5, 6, 1)
    conv2d("k2_spec_like", 1, 1, 1, 4, 4, 2)
    conv2d("k3_p1_batch3", 3, 2, 3, 6, 5, 3, padding=1)
    conv2d("k4_even", 2, 2, 2, 7, 8, 4)
    conv2d("k5_p2", 1, 2, 3, 7, 7, 5, padding=2)
    conv2d("k1x3", 2, 3, 2, 4, 7, (1, 3))
    conv2d("k3x1", 2, 3, 2, 7, 4, (3, 1), padding=(1, 0))
    conv2d("k2x5_s1x2", 1, 2, 3, 6, 11, (2, 5), stride=(1, 2))
    conv2d("k5x2_p2x1", 3, 2, 2, 7, 5, (5, 2), padding=(2, 1))
    # strides 1..3, odd sizes
    conv2d("k3_s2_p1_odd", 2, 3, 4, 7, 9, 3, stride=2, padding=1)
    conv2d("k3_s3_p1", 1, 2, 2, 10, 11, 3, stride=3, padding=1)
    conv2d("k2_s2", 3, 2, 3, 6, 7, 2, stride=2)
    conv2d("k3_s2x1", 2, 2, 2, 9, 6, 3, stride=(2, 1))
    conv2d("k3_s3x2_p2x1", 1, 3, 2, 11, 8, 3, stride=(3, 2), padding=(2, 1))
    # explicit asymmetric padding (F.pad then convolution with padding 0)
    conv2d("asym_zeros", 2, 2, 3, 5, 6, 3, padding=(0, 2, 1, 0))
    conv2d("asym_zeros_s2", 1, 3, 2, 6, 7, (2, 3), stride=2, padding=(1, 0, 2, 1))
    conv2d("asym_reflect", 2, 2, 2, 5, 6, 3, padding=(1, 2, 2, 0), mode="reflect")
    conv2d("asym_replicate", 1, 2, 3, 4, 5, (3, 2), padding=(2, 0, 1, 3), mode="replicate")
    conv2d("asym_circular", 2, 2, 2, 5, 4, 3, padding=(0, 1, 2, 1), mode="circular")
    # 'same' and 'valid'
    conv2d("same_k3", 2, 2, 3, 5, 6, 3, padding="same")
    conv2d("same_k4_even", 1, 2, 2, 7, 6, 4, padding="same")
    conv2d("same_k2x5_d2", 2, 2, 2, 6, 9, (2, 5), padding="same", dilation=2)
    conv2d("same_k3_d2x1_reflect", 1, 3, 2, 7, 6, 3, padding="same", dilation=(2, 1), mode="reflect")
    conv2d("same_k4_circular", 2, 2, 2, 5, 6, (4, 3), padding="same", mode="circular")
    conv2d("valid_k3", 2, 3, 2, 6, 5, 3, padding="valid")
    # dilation 1..3
    conv2d("d2_k3", 2, 2, 3, 8, 9, 3, dilation=2)
    conv2d("d3_k3_p3", 1, 2, 2, 9, 8, 3, padding=3, dilation=3)
    conv2d("d1x2_k3_s2", 2, 3, 2, 7, 10, 3, stride=2, dilation=(1, 2), padding=(1, 2))
    conv2d("d2x3_k2x3", 1, 2, 2, 6, 11, (2, 3), dilation=(2, 3), padding=(1, 0))
    # groups, depthwise
    conv2d("g2", 2, 4, 6, 5, 5, 3, padding=1, groups=2)
    conv2d("g3_s2", 1, 6, 3, 7, 6, 3, stride=2, groups=3)
    conv2d("depthwise", 2, 4, 4, 6, 7, 3, padding=1, groups=4)
    conv2d("depthwise_x2_nobias", 3, 3, 6, 5, 6, (3, 2), groups=3, bias=False)
    # bias off
    conv2d("nobias_k3", 2, 3, 2, 5, 5, 3, bias=False)
    conv2d("nobias_k1_s2", 1, 4, 3, 7, 6, 1, stride=2, bias=False)
    # padding modes
    conv2d("reflect_p1", 2, 2, 3, 5, 6, 3, padding=1, mode="reflect")
    conv2d("reflect_p2x1_s2", 1, 3, 2, 7, 5, 3, stride=2, padding=(2, 1), mode="reflect")
    conv2d("reflect_g2_d2", 2, 4, 2, 7, 7, 3, padding=2, dilation=2, groups=2, mode="reflect")
    conv2d("replicate_p2", 2, 2, 2, 5, 4, 3, padding=2, mode="replicate")
    conv2d("replicate_s2_d2", 1, 2, 3, 8, 7, 3, stride=2, padding=(1, 3), dilation=2, mode="replicate")
    conv2d("circular_p1", 2, 3, 2, 4, 5, 3, padding=1, mode="circular")
    conv2d("circular_p1x2_s2", 3, 2, 2, 5, 6, 3, stride=2, padding=(1, 2), mode="circular")
    conv2d("circular_full_wrap", 1, 2, 2, 3, 3, 3, padding=3, mode="circular")
    # everything at once
    conv2d("combo_g2_circular_nobias", 3, 4, 2, 7, 8, (3, 2), stride=(2, 3), padding=(1, 2),
           dilation=(2, 1), groups=2, bias=False, mode="circular")
    conv2d("combo_depthwise_reflect_s3", 2, 3, 3, 8, 9, (2, 3), stride=(3, 2), padding=1, groups=3,
           mode="reflect")
    conv2d("combo_1x1_batch3", 3, 5, 4, 3, 5, 1, padding=(0, 1), groups=1)


# ---------------------------------------------------------------------------------------
# ConvTranspose2d
#
# Header: in_channels out_channels kernel=kh,kw stride=sh,sw padding=ph,pw
# output_padding=oph,opw dilation=dh,dw groups bias=true|false. The weight is PyTorch's
# (in_channels, out_channels/groups, kh, kw); its fan-in is out_channels/groups*kh*kw.
# ---------------------------------------------------------------------------------------

def conv_transpose2d(case, n, cin, cout, h, w, k, stride=1, padding=0, output_padding=0, dilation=1,
                     groups=1, bias=True):
    rng = Rng("conv_transpose2d/" + case)
    kh, kw = pair(k)
    sh, sw = pair(stride)
    ph, pw = pair(padding)
    oph, opw = pair(output_padding)
    dh, dw = pair(dilation)
    fan_in = cout // groups * kh * kw
    x = rng.uniform((n, cin, h, w))
    params = [("weight", rng.kaiming((cin, cout // groups, kh, kw), fan_in))]
    if bias:
        params.append(("bias", rng.kaiming((cout,), fan_in)))

    def build(dtype):
        conv = nn.ConvTranspose2d(cin, cout, (kh, kw), (sh, sw), (ph, pw), (oph, opw), groups, bias,
                                  (dh, dw)).to(dtype)
        named = {"weight": conv.weight}
        if bias:
            named["bias"] = conv.bias
        return conv, named

    header = {"layer": "ConvTranspose2d", "in_channels": cin, "out_channels": cout, "kernel": (kh, kw),
              "stride": (sh, sw), "padding": (ph, pw), "output_padding": (oph, opw), "dilation": (dh, dw),
              "groups": groups, "bias": bias}
    layer_case("conv_transpose2d", case, header, build, x, params, rng=rng)


def conv_transpose2d_cases():
    conv_transpose2d("k1", 2, 3, 2, 4, 5, 1)
    conv_transpose2d("k2_s2", 2, 3, 4, 4, 5, 2, stride=2)
    conv_transpose2d("k3_s1_p1_batch1", 1, 2, 3, 5, 6, 3, padding=1)
    conv_transpose2d("k3_s2_p1_op1", 2, 2, 3, 5, 4, 3, stride=2, padding=1, output_padding=1)
    conv_transpose2d("k4_s2_p1", 2, 3, 2, 4, 4, 4, stride=2, padding=1)
    conv_transpose2d("k3_s3_op2_odd", 1, 2, 2, 3, 5, 3, stride=3, output_padding=2)
    conv_transpose2d("k2x3_s2x1_p0x1", 2, 2, 3, 5, 4, (2, 3), stride=(2, 1), padding=(0, 1))
    conv_transpose2d("k3x2_s1x3_op0x2", 1, 3, 2, 4, 3, (3, 2), stride=(1, 3), output_padding=(0, 2))
    conv_transpose2d("k5_s2_p2_op1", 2, 2, 2, 3, 4, 5, stride=2, padding=2, output_padding=1)
    conv_transpose2d("d2_k3", 2, 2, 3, 4, 5, 3, dilation=2)
    conv_transpose2d("d3_k2_s1_op2", 1, 2, 2, 4, 3, 2, dilation=3, output_padding=2)
    conv_transpose2d("d2x1_k3_s2_p2x1", 2, 3, 2, 5, 4, 3, stride=2, padding=(2, 1), dilation=(2, 1))
    conv_transpose2d("g2", 2, 4, 6, 4, 5, 3, stride=2, padding=1, groups=2)
    conv_transpose2d("g3_op1", 1, 6, 3, 3, 4, (2, 3), stride=2, output_padding=1, groups=3)
    conv_transpose2d("depthwise", 2, 4, 4, 5, 5, 3, stride=2, padding=1, output_padding=1, groups=4)
    conv_transpose2d("depthwise_x2_nobias", 3, 3, 6, 4, 3, 2, stride=2, groups=3, bias=False)
    conv_transpose2d("nobias_k3_s2", 2, 3, 2, 5, 5, 3, stride=2, bias=False)
    conv_transpose2d("combo", 3, 4, 2, 3, 5, (3, 2), stride=(3, 2), padding=(1, 0), output_padding=(1, 1),
                     dilation=(2, 1), groups=2, bias=False)
    conv_transpose2d("fcn_upsample_x2", 1, 3, 3, 4, 4, 4, stride=2, padding=1, bias=False)


# ---------------------------------------------------------------------------------------
# Upsample (nn.Upsample, i.e. F.interpolate without recompute_scale_factor)
#
# Header: interpolation=nearest|bilinear (PyTorch's mode; "mode" is the train/eval key)
# align_corners=true|false (false for nearest, where PyTorch takes None), size=h,w|none and
# scale_factor=sh,sw|none (one of them is none).
#
# forward_only: PyTorch 1.13's nearest backward picks its source indices by another rule than its
# forward where floor(in * scale) is the input size or twice it but the scale is not 1 or 2 (the
# backward copies or halves the index, the forward takes floor(dst / scale)), so its gradient is
# not the adjoint of its output there. conv4j's backward is the adjoint of its forward; those
# cases are stored in eval mode (x, y).
# ---------------------------------------------------------------------------------------

def upsample(case, shape, mode, size=None, scale=None, align_corners=False, forward_only=False):
    header = {"layer": "Upsample", "interpolation": mode, "align_corners": align_corners,
              "size": pair(size) if size is not None else "none",
              "scale_factor": tuple(float(v) for v in pair(scale)) if scale is not None else "none"}
    ac = align_corners if mode == "bilinear" else None
    simple("upsample", case, header,
           lambda: nn.Upsample(size=pair(size) if size is not None else None,
                               scale_factor=tuple(float(v) for v in pair(scale)) if scale is not None else None,
                               mode=mode, align_corners=ac),
           lambda r: r.uniform(shape), train=not forward_only)


def upsample_cases():
    upsample("nearest_s2", (2, 3, 4, 5), "nearest", scale=2)
    upsample("nearest_s3_odd_batch1", (1, 2, 3, 5), "nearest", scale=3)
    upsample("nearest_s2x3", (2, 2, 3, 4), "nearest", scale=(2, 3))
    upsample("nearest_s1.5", (2, 2, 5, 4), "nearest", scale=1.5)
    upsample("nearest_s2.1_doubles", (1, 2, 5, 5), "nearest", scale=2.1, forward_only=True)
    upsample("nearest_s1.2_same_size", (1, 2, 3, 4), "nearest", scale=1.2, forward_only=True)
    upsample("nearest_s0.5_down", (2, 2, 6, 7), "nearest", scale=0.5)
    upsample("nearest_size7x9", (2, 2, 3, 4), "nearest", size=(7, 9))
    upsample("nearest_size3x2_down", (1, 3, 5, 7), "nearest", size=(3, 2))
    upsample("bilinear_s2", (2, 3, 4, 5), "bilinear", scale=2)
    upsample("bilinear_s3_odd_batch1", (1, 2, 3, 5), "bilinear", scale=3)
    upsample("bilinear_s1.5x2.5", (2, 2, 5, 3), "bilinear", scale=(1.5, 2.5))
    upsample("bilinear_s1.2_same_size", (1, 2, 3, 4), "bilinear", scale=1.2)
    upsample("bilinear_size7x9", (2, 2, 3, 4), "bilinear", size=(7, 9))
    upsample("bilinear_size2x3_down", (2, 2, 5, 7), "bilinear", size=(2, 3))
    upsample("bilinear_1x1_input", (2, 2, 1, 1), "bilinear", scale=4)
    upsample("bilinear_align_s2", (2, 3, 4, 5), "bilinear", scale=2, align_corners=True)
    upsample("bilinear_align_s1.7", (1, 2, 5, 4), "bilinear", scale=1.7, align_corners=True)
    upsample("bilinear_align_size7x9", (2, 2, 3, 4), "bilinear", size=(7, 9), align_corners=True)
    upsample("bilinear_align_size1x5", (2, 2, 4, 3), "bilinear", size=(1, 5), align_corners=True)
    upsample("bilinear_align_size3x2_down", (1, 2, 6, 5), "bilinear", size=(3, 2), align_corners=True)


# ---------------------------------------------------------------------------------------
# Conv1d, MaxPool1d, AvgPool1d over (N, C, L)
#
# Conv1d header: in_channels out_channels kernel stride padding=p|same|valid dilation groups
# bias padding_mode. MaxPool1d: kernel stride padding dilation ceil_mode. AvgPool1d: kernel
# stride padding ceil_mode count_include_pad.
# ---------------------------------------------------------------------------------------

def conv1d(case, n, cin, cout, length, k, stride=1, padding=0, dilation=1, groups=1, bias=True, mode="zeros"):
    rng = Rng("conv1d/" + case)
    fan_in = cin // groups * k
    x = rng.uniform((n, cin, length))
    params = [("weight", rng.kaiming((cout, cin // groups, k), fan_in))]
    if bias:
        params.append(("bias", rng.kaiming((cout,), fan_in)))

    def build(dtype):
        conv = nn.Conv1d(cin, cout, k, stride, padding, dilation, groups, bias, padding_mode=mode).to(dtype)
        named = {"weight": conv.weight}
        if bias:
            named["bias"] = conv.bias
        return conv, named

    header = {"layer": "Conv1d", "in_channels": cin, "out_channels": cout, "kernel": k, "stride": stride,
              "padding": padding, "dilation": dilation, "groups": groups, "bias": bias, "padding_mode": mode}
    layer_case("conv1d", case, header, build, x, params, rng=rng)


def pool1d_cases():
    conv1d("k1", 2, 3, 4, 5, 1)
    conv1d("k3_p1_batch1", 1, 2, 3, 7, 3, padding=1)
    conv1d("k4_even_s2", 2, 2, 3, 9, 4, stride=2)
    conv1d("k5_s3_p2_odd", 3, 2, 2, 11, 5, stride=3, padding=2)
    conv1d("d2_k3", 2, 2, 2, 9, 3, dilation=2)
    conv1d("d3_k2_p3_s2", 1, 3, 2, 8, 2, stride=2, padding=3, dilation=3)
    conv1d("g2", 2, 4, 6, 7, 3, padding=1, groups=2)
    conv1d("depthwise_nobias", 2, 3, 3, 6, 3, groups=3, bias=False)
    conv1d("same_k4", 2, 2, 3, 7, 4, padding="same")
    conv1d("valid_k3", 1, 2, 2, 5, 3, padding="valid")
    conv1d("reflect_p2", 2, 2, 3, 6, 3, padding=2, mode="reflect")
    conv1d("replicate_p1_s2", 1, 3, 2, 7, 3, stride=2, padding=1, mode="replicate")
    conv1d("circular_p2_d2", 2, 2, 2, 6, 3, padding=2, dilation=2, mode="circular")

    def maxpool1d(case, shape, k, stride=None, padding=0, dilation=1, ceil=False):
        s = stride if stride is not None else k
        simple("maxpool1d", case, {"layer": "MaxPool1d", "kernel": k, "stride": s, "padding": padding,
                                   "dilation": dilation, "ceil_mode": ceil},
               lambda: nn.MaxPool1d(k, s, padding, dilation, ceil_mode=ceil), lambda r: r.uniform(shape))

    def avgpool1d(case, shape, k, stride=None, padding=0, ceil=False, include_pad=True):
        s = stride if stride is not None else k
        simple("avgpool1d", case, {"layer": "AvgPool1d", "kernel": k, "stride": s, "padding": padding,
                                   "ceil_mode": ceil, "count_include_pad": include_pad},
               lambda: nn.AvgPool1d(k, s, padding, ceil_mode=ceil, count_include_pad=include_pad),
               lambda r: r.uniform(shape))

    maxpool1d("k2_s2", (2, 3, 8), 2)
    maxpool1d("k2_odd_floor_batch1", (1, 2, 7), 2)
    maxpool1d("k3_s2_p1", (2, 2, 9), 3, 2, 1)
    maxpool1d("k3_s2_ceil", (2, 2, 8), 3, 2, ceil=True)
    maxpool1d("k3_s1_p1_d2", (1, 3, 7), 3, 1, 1, 2)
    maxpool1d("k4_s3_p2_ceil", (2, 2, 10), 4, 3, 2, ceil=True)
    avgpool1d("k2_s2", (2, 3, 8), 2)
    avgpool1d("k2_odd_floor_batch1", (1, 2, 7), 2)
    avgpool1d("k3_s2_p1_include_pad", (2, 2, 9), 3, 2, 1)
    avgpool1d("k3_s2_p1_exclude_pad", (2, 2, 9), 3, 2, 1, include_pad=False)
    avgpool1d("k3_s2_ceil", (2, 2, 8), 3, 2, ceil=True)
    avgpool1d("k3_s2_p1_ceil_exclude_pad", (2, 2, 6), 3, 2, 1, ceil=True, include_pad=False)


# ---------------------------------------------------------------------------------------
# Conv3d, MaxPool3d, AvgPool3d over (N, C, D, H, W); BatchNorm3d is with the other batch norms.
#
# Conv3d header: in_channels out_channels kernel=kd,kh,kw stride padding dilation (triples)
# groups bias. MaxPool3d: kernel stride padding dilation ceil_mode. AvgPool3d: kernel stride
# padding ceil_mode count_include_pad.
# ---------------------------------------------------------------------------------------

def triple(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v, v)


def conv3d(case, n, cin, cout, dhw, k, stride=1, padding=0, dilation=1, groups=1, bias=True):
    rng = Rng("conv3d/" + case)
    k, stride, padding, dilation = triple(k), triple(stride), triple(padding), triple(dilation)
    fan_in = cin // groups * k[0] * k[1] * k[2]
    x = rng.uniform((n, cin) + tuple(dhw))
    params = [("weight", rng.kaiming((cout, cin // groups) + k, fan_in))]
    if bias:
        params.append(("bias", rng.kaiming((cout,), fan_in)))

    def build(dtype):
        conv = nn.Conv3d(cin, cout, k, stride, padding, dilation, groups, bias).to(dtype)
        named = {"weight": conv.weight}
        if bias:
            named["bias"] = conv.bias
        return conv, named

    header = {"layer": "Conv3d", "in_channels": cin, "out_channels": cout, "kernel": k, "stride": stride,
              "padding": padding, "dilation": dilation, "groups": groups, "bias": bias}
    layer_case("conv3d", case, header, build, x, params, rng=rng)


def volume_cases():
    conv3d("k1", 2, 3, 2, (2, 3, 4), 1)
    conv3d("k3_p1_batch1", 1, 2, 3, (3, 4, 5), 3, padding=1)
    conv3d("k2x3x1_s2x1x2_odd", 2, 2, 2, (5, 4, 5), (2, 3, 1), stride=(2, 1, 2))
    conv3d("k3_s2_p1x0x1", 2, 2, 3, (5, 5, 4), 3, stride=2, padding=(1, 0, 1))
    conv3d("d2_k2_p1", 1, 2, 2, (4, 5, 5), 2, padding=1, dilation=2)
    conv3d("d1x2x1_k3_s1x2x1", 2, 2, 2, (3, 6, 4), 3, stride=(1, 2, 1), dilation=(1, 2, 1), padding=(1, 2, 0))
    conv3d("g2", 2, 4, 6, (3, 3, 4), (1, 3, 3), padding=(0, 1, 1), groups=2)
    conv3d("depthwise_nobias", 1, 3, 3, (3, 4, 4), 2, groups=3, bias=False)
    conv3d("k3x1x1_temporal_s3", 2, 3, 2, (7, 2, 3), (3, 1, 1), stride=(3, 1, 1))

    def maxpool3d(case, shape, k, stride=None, padding=0, dilation=1, ceil=False):
        k, padding, dilation = triple(k), triple(padding), triple(dilation)
        s = triple(stride) if stride is not None else k
        simple("maxpool3d", case, {"layer": "MaxPool3d", "kernel": k, "stride": s, "padding": padding,
                                   "dilation": dilation, "ceil_mode": ceil},
               lambda: nn.MaxPool3d(k, s, padding, dilation, ceil_mode=ceil), lambda r: r.uniform(shape))

    def avgpool3d(case, shape, k, stride=None, padding=0, ceil=False, include_pad=True):
        k, padding = triple(k), triple(padding)
        s = triple(stride) if stride is not None else k
        simple("avgpool3d", case, {"layer": "AvgPool3d", "kernel": k, "stride": s, "padding": padding,
                                   "ceil_mode": ceil, "count_include_pad": include_pad},
               lambda: nn.AvgPool3d(k, s, padding, ceil_mode=ceil, count_include_pad=include_pad),
               lambda r: r.uniform(shape))

    maxpool3d("k2", (2, 2, 4, 4, 4), 2)
    maxpool3d("k2_odd_floor_batch1", (1, 2, 5, 3, 5), 2)
    maxpool3d("k3_s2_p1", (2, 1, 5, 6, 5), 3, 2, 1)
    maxpool3d("k3x2x2_s2_ceil", (1, 2, 6, 5, 4), (3, 2, 2), 2, ceil=True)
    maxpool3d("k2_s1_d2x1x2", (2, 1, 5, 3, 5), 2, 1, 0, (2, 1, 2))
    maxpool3d("k1x3x3_s1x2x2_p0x1x1", (1, 2, 3, 5, 5), (1, 3, 3), (1, 2, 2), (0, 1, 1))
    avgpool3d("k2", (2, 2, 4, 4, 4), 2)
    avgpool3d("k2_odd_floor_batch1", (1, 2, 5, 3, 5), 2)
    avgpool3d("k3_s2_p1_include_pad", (2, 1, 5, 6, 5), 3, 2, 1)
    avgpool3d("k3_s2_p1_exclude_pad", (2, 1, 5, 6, 5), 3, 2, 1, include_pad=False)
    avgpool3d("k3x2x2_s2_ceil", (1, 2, 6, 5, 4), (3, 2, 2), 2, ceil=True)
    avgpool3d("k3_s2_p1_ceil_exclude_pad", (1, 2, 4, 4, 6), 3, 2, 1, ceil=True, include_pad=False)


# ---------------------------------------------------------------------------------------
# Linear: header in_features out_features bias; x is (N, in) or (N, C, H, W) flattened.
# ---------------------------------------------------------------------------------------

def linear(case, x_shape, cout, bias=True):
    rng = Rng("linear/" + case)
    cin = 1
    for d in x_shape[1:]:
        cin *= d
    x = rng.uniform(x_shape)
    params = [("weight", rng.kaiming((cout, cin), cin))]
    if bias:
        params.append(("bias", rng.kaiming((cout,), cin)))

    def build(dtype):
        lin = nn.Linear(cin, cout, bias).to(dtype)
        module = nn.Sequential(nn.Flatten(), lin)
        named = {"weight": lin.weight}
        if bias:
            named["bias"] = lin.bias
        return module, named

    layer_case("linear", case, {"layer": "Linear", "in_features": cin, "out_features": cout, "bias": bias},
               build, x, params, rng=rng)


def linear_cases():
    linear("2d", (4, 7), 5)
    linear("2d_batch1", (1, 6), 3)
    linear("2d_nobias", (3, 9), 4, bias=False)
    linear("nchw_flatten", (3, 2, 3, 4), 5)
    linear("nchw_flatten_nobias", (2, 3, 3, 3), 2, bias=False)


# ---------------------------------------------------------------------------------------
# Parameterless layers: header holds only their options.
# ---------------------------------------------------------------------------------------

def simple(family, case, header, make, x, train=True):
    rng = Rng(family + "/" + case)
    x = x(rng) if callable(x) else x
    layer_case(family, case, header, lambda dtype: (make(), {}), x, [], train=train, rng=rng)


def with_zeros(rng, shape, lo=-1.0, hi=1.0):
    """Uniform values with every fifth one exactly 0, to pin the gradient at the kink."""
    x = rng.uniform(shape, lo, hi).flatten()
    x[::5] = 0.0
    return x.reshape(shape)


def activation_cases():
    simple("relu", "nchw", {"layer": "ReLU"}, nn.ReLU, lambda r: r.uniform((2, 3, 4, 5)))
    simple("relu", "2d_with_zeros", {"layer": "ReLU"}, nn.ReLU, lambda r: with_zeros(r, (3, 10)))
    simple("leaky_relu", "default_slope", {"layer": "LeakyReLU", "negative_slope": 0.01},
           lambda: nn.LeakyReLU(0.01), lambda r: r.uniform((2, 3, 4, 5)))
    simple("leaky_relu", "slope_0.2_with_zeros", {"layer": "LeakyReLU", "negative_slope": 0.2},
           lambda: nn.LeakyReLU(0.2), lambda r: with_zeros(r, (3, 10)))
    simple("sigmoid", "nchw_wide", {"layer": "Sigmoid"}, nn.Sigmoid, lambda r: r.uniform((2, 3, 4, 5), -8, 8))
    simple("sigmoid", "2d", {"layer": "Sigmoid"}, nn.Sigmoid, lambda r: r.uniform((4, 6), -3, 3))
    simple("tanh", "nchw_wide", {"layer": "Tanh"}, nn.Tanh, lambda r: r.uniform((2, 3, 4, 5), -4, 4))
    simple("tanh", "2d", {"layer": "Tanh"}, nn.Tanh, lambda r: r.uniform((4, 6), -1, 1))
    simple("softmax", "2d", {"layer": "Softmax", "dim": 1}, lambda: nn.Softmax(dim=1), lambda r: r.uniform((4, 7), -3, 3))
    simple("softmax", "batch1", {"layer": "Softmax", "dim": 1}, lambda: nn.Softmax(dim=1), lambda r: r.uniform((1, 10), -2, 2))
    simple("softmax", "large_logits", {"layer": "Softmax", "dim": 1}, lambda: nn.Softmax(dim=1),
           lambda r: r.uniform((3, 5), -60, 60))
    # over the channels of NCHW (a class distribution per pixel), and dims counted from the end
    simple("softmax", "nchw_dim1", {"layer": "Softmax", "dim": 1}, lambda: nn.Softmax(dim=1),
           lambda r: r.uniform((2, 4, 3, 5), -3, 3))
    simple("softmax", "nchw_dim_neg3", {"layer": "Softmax", "dim": -3}, lambda: nn.Softmax(dim=-3),
           lambda r: r.uniform((2, 3, 2, 4), -3, 3))
    simple("softmax", "nchw_dim_neg1", {"layer": "Softmax", "dim": -1}, lambda: nn.Softmax(dim=-1),
           lambda r: r.uniform((2, 3, 2, 6), -3, 3))
    simple("softmax", "3d_dim2", {"layer": "Softmax", "dim": 2}, lambda: nn.Softmax(dim=2),
           lambda r: r.uniform((2, 3, 5), -3, 3))
    simple("softmax", "2d_dim0", {"layer": "Softmax", "dim": 0}, lambda: nn.Softmax(dim=0),
           lambda r: r.uniform((4, 3), -3, 3))
    simple("dropout", "eval_nchw", {"layer": "Dropout", "p": 0.5}, lambda: nn.Dropout(0.5),
           lambda r: r.uniform((2, 3, 4, 4)), train=False)
    simple("dropout", "eval_2d_p0.3", {"layer": "Dropout", "p": 0.3}, lambda: nn.Dropout(0.3),
           lambda r: r.uniform((4, 6)), train=False)


# ---------------------------------------------------------------------------------------
# Pooling.
# MaxPool2d header: kernel=kh,kw stride=sh,sw padding=ph,pw dilation=dh,dw ceil_mode.
# AvgPool2d header: kernel stride padding ceil_mode count_include_pad.
# AdaptiveAvgPool2d (global average pooling): output_size=1.
# ---------------------------------------------------------------------------------------

def maxpool(case, shape, k, stride=None, padding=0, dilation=1, ceil=False):
    kh, kw = pair(k)
    sh, sw = pair(stride if stride is not None else k)
    ph, pw = pair(padding)
    dh, dw = pair(dilation)
    header = {"layer": "MaxPool2d", "kernel": (kh, kw), "stride": (sh, sw), "padding": (ph, pw),
              "dilation": (dh, dw), "ceil_mode": ceil}
    simple("maxpool2d", case, header,
           lambda: nn.MaxPool2d((kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil_mode=ceil),
           lambda r: r.uniform(shape))


def avgpool(case, shape, k, stride=None, padding=0, ceil=False, include_pad=True):
    kh, kw = pair(k)
    sh, sw = pair(stride if stride is not None else k)
    ph, pw = pair(padding)
    header = {"layer": "AvgPool2d", "kernel": (kh, kw), "stride": (sh, sw), "padding": (ph, pw),
              "ceil_mode": ceil, "count_include_pad": include_pad}
    simple("avgpool2d", case, header,
           lambda: nn.AvgPool2d((kh, kw), (sh, sw), (ph, pw), ceil_mode=ceil, count_include_pad=include_pad),
           lambda r: r.uniform(shape))


def pool_cases():
    maxpool("k2_s2", (2, 3, 6, 6), 2)
    maxpool("k2_s2_odd_floor", (1, 2, 7, 5), 2)
    maxpool("k3_s2_p1", (2, 2, 7, 8), 3, 2, 1)
    maxpool("k3_s1", (1, 3, 5, 6), 3, 1)
    maxpool("k2x3_s2x1", (2, 2, 6, 7), (2, 3), (2, 1))
    maxpool("k3_s2_ceil", (2, 2, 6, 8), 3, 2, ceil=True)
    maxpool("k2_s2_ceil_odd", (1, 3, 5, 5), 2, ceil=True)
    maxpool("k3_s2_p1_ceil", (2, 2, 6, 6), 3, 2, 1, ceil=True)
    maxpool("k3_s1_p1_d2", (1, 2, 7, 7), 3, 1, 1, 2)
    maxpool("k2_s2_d2x1_p1x0", (2, 2, 8, 7), 2, 2, (1, 0), (2, 1))
    maxpool("k3x2_s3x2_p1x1_ceil", (3, 1, 8, 7), (3, 2), (3, 2), (1, 1), ceil=True)
    avgpool("k2_s2", (2, 3, 6, 6), 2)
    avgpool("k2_s2_odd_floor", (1, 2, 7, 5), 2)
    avgpool("k3_s2_p1_include_pad", (2, 2, 7, 8), 3, 2, 1, include_pad=True)
    avgpool("k3_s2_p1_exclude_pad", (2, 2, 7, 8), 3, 2, 1, include_pad=False)
    avgpool("k3_s1", (1, 3, 5, 6), 3, 1)
    avgpool("k3x2_s1x2_p1x0", (2, 2, 6, 7), (3, 2), (1, 2), (1, 0))
    avgpool("k3_s2_ceil", (2, 2, 6, 8), 3, 2, ceil=True)
    avgpool("k2_s2_ceil_odd", (1, 3, 5, 5), 2, ceil=True)
    avgpool("k3_s2_p1_ceil_include_pad", (2, 2, 6, 6), 3, 2, 1, ceil=True, include_pad=True)
    avgpool("k3_s2_p1_ceil_exclude_pad", (2, 2, 6, 6), 3, 2, 1, ceil=True, include_pad=False)
    simple("global_avgpool2d", "nchw", {"layer": "AdaptiveAvgPool2d", "output_size": 1},
           lambda: nn.AdaptiveAvgPool2d(1), lambda r: r.uniform((2, 3, 5, 7)))
    simple("global_avgpool2d", "batch1_1x1", {"layer": "AdaptiveAvgPool2d", "output_size": 1},
           lambda: nn.AdaptiveAvgPool2d(1), lambda r: r.uniform((1, 4, 1, 1)))


# ---------------------------------------------------------------------------------------
# Adaptive pooling: output row i pools input rows [floor(i*H/OH), ceil((i+1)*H/OH)).
# Header: output_size=oh,ow. Sizes that divide, sizes that do not (overlapping windows of
# different sizes), 1x1 and outputs larger than the input (repeated rows).
# ---------------------------------------------------------------------------------------

ADAPTIVE_SIZES = [
    ("7x7_to_3x3", (2, 3, 7, 7), (3, 3)),
    ("5x5_to_2x2", (1, 2, 5, 5), (2, 2)),
    ("5x6_to_1x1", (2, 2, 5, 6), (1, 1)),
    ("8x8_to_4x4_divides", (1, 3, 8, 8), (4, 4)),
    ("6x10_to_4x3", (2, 2, 6, 10), (4, 3)),
    ("13x13_to_6x6_alexnet", (1, 2, 13, 13), (6, 6)),
    ("3x2_to_5x4_larger", (2, 2, 3, 2), (5, 4)),
    ("1x1_to_7x7", (1, 3, 1, 1), (7, 7)),
]


def adaptive_pool_cases():
    for family, cls in (("adaptive_avgpool2d", nn.AdaptiveAvgPool2d), ("adaptive_maxpool2d", nn.AdaptiveMaxPool2d)):
        for case, shape, out in ADAPTIVE_SIZES:
            simple(family, case, {"layer": cls.__name__, "output_size": out},
                   lambda out=out, cls=cls: cls(out), lambda r, shape=shape: r.uniform(shape))


# ---------------------------------------------------------------------------------------
# BatchNorm1d over (N, K), BatchNorm2d over (N, C, H, W), BatchNorm3d over (N, C, D, H, W).
# Header: num_features eps momentum mode=train|eval. Train: batch statistics (biased
# variance for normalizing), running statistics updated with momentum 0.1 as PyTorch does:
# running = 0.9 * running + 0.1 * batch, with the UNBIASED batch variance (n / (n - 1)) for
# running_var. Eval: normalizes with running_mean / running_var.
# ---------------------------------------------------------------------------------------

def batchnorm(family, case, x_shape, train, x=None, default_params=False):
    rng = Rng(family + "/" + case)
    c = x_shape[1]
    x = rng.uniform(x_shape, -1.0, 3.0) if x is None else x
    if default_params:
        params = [("weight", torch.ones(c)), ("bias", torch.zeros(c))]
        buffers = [("running_mean", torch.zeros(c)), ("running_var", torch.ones(c))]
    else:
        params = [("weight", rng.uniform((c,), 0.5, 1.5)), ("bias", rng.uniform((c,), -0.5, 0.5))]
        buffers = [("running_mean", rng.uniform((c,), -0.5, 0.5)), ("running_var", rng.uniform((c,), 0.5, 1.5))]
    cls = {"batchnorm1d": nn.BatchNorm1d, "batchnorm2d": nn.BatchNorm2d, "batchnorm3d": nn.BatchNorm3d}[family]

    def build(dtype):
        bn = cls(c, eps=1e-5, momentum=0.1).to(dtype)
        return bn, {"weight": bn.weight, "bias": bn.bias, "running_mean": bn.running_mean,
                    "running_var": bn.running_var}

    header = {"layer": cls.__name__, "num_features": c, "eps": 1e-05, "momentum": 0.1,
              "mode": "train" if train else "eval"}
    if train:
        layer_case(family, case, header, build, x, params, buffers, train=True, rng=rng)
    else:
        layer_case(family, case, header, build, x, params + buffers, train=False, rng=rng)


def batchnorm_cases():
    # SPEC 2 example 7: x = (1,2), (3,6), (5,10) with default gamma, beta and running stats
    batchnorm("batchnorm1d", "spec_example7", (3, 2), True,
              x=torch.tensor([[1.0, 2.0], [3.0, 6.0], [5.0, 10.0]]), default_params=True)
    batchnorm("batchnorm1d", "train", (6, 4), True)
    batchnorm("batchnorm1d", "train_batch2", (2, 3), True)
    batchnorm("batchnorm1d", "eval", (5, 4), False)
    batchnorm("batchnorm2d", "train", (3, 4, 5, 6), True)
    batchnorm("batchnorm2d", "train_batch1_odd", (1, 3, 3, 5), True)
    batchnorm("batchnorm2d", "eval", (2, 3, 4, 5), False)
    batchnorm("batchnorm3d", "train", (3, 4, 2, 3, 4), True)
    batchnorm("batchnorm3d", "train_batch1_odd", (1, 3, 3, 1, 5), True)
    batchnorm("batchnorm3d", "eval", (2, 3, 2, 4, 3), False)


# ---------------------------------------------------------------------------------------
# Losses: CrossEntropyLoss (softmax + negative log-likelihood, mean over the batch) with
# class indices (target shape (N)) or probability rows (target (N, K)), also per position
# (logits (N, K, H, W), targets (N, H, W) or (N, K, H, W)); MSELoss (mean).
# Header: reduction=mean target=indices|probabilities|one_hot (cross entropy).
# ---------------------------------------------------------------------------------------

def cross_entropy(case, n, k, target_kind, scale=2.0, positions=()):
    """positions: the trailing dims (H, W) of per-position logits (N, K, H, W), targets (N, H, W)."""
    rng = Rng("cross_entropy/" + case)
    x = rng.uniform((n, k) + positions, -scale, scale)
    if target_kind == "indices":
        target = rng.randint(k, (n,) + positions)
    elif target_kind == "one_hot":
        target = F.one_hot(rng.randint(k, (n,)), k).float()
    else:
        target = torch.softmax(rng.uniform((n, k) + positions, -2, 2).double(), dim=1).float()
    loss_case("cross_entropy", case, {"layer": "CrossEntropyLoss", "reduction": "mean", "target": target_kind},
              lambda xx, t: F.cross_entropy(xx, t), x, target)


def weighted_cross_entropy(case, n, k, positions=(), weights=True, ignore_index=-100, ignored=0.0):
    """CrossEntropyLoss(weight, ignore_index) over class indices; a fraction `ignored` of the
    targets is set to ignore_index. The weighted mean divides by the sum of the weights of the
    targets that are not ignored. Header: ignore_index=I weighted=true|false; tensor 'weight'."""
    rng = Rng("cross_entropy_weighted/" + case)
    x = rng.uniform((n, k) + positions, -2.0, 2.0)
    target = rng.randint(k, (n,) + positions)
    target[rng.uniform((n,) + positions, 0.0, 1.0) < ignored] = ignore_index
    w = rng.uniform((k,), 0.0, 2.0) if weights else torch.ones(k)
    if weights:
        w[0] = 0.0  # a class weighted 0 counts for nothing, as if ignored
    header = {"layer": "CrossEntropyLoss", "reduction": "mean", "ignore_index": ignore_index, "weighted": weights}
    results = {}
    for dtype in (torch.float64, torch.float32):
        xx = x.to(dtype).clone().requires_grad_(True)
        loss = F.cross_entropy(xx, target, weight=w.to(dtype) if weights else None, ignore_index=ignore_index)
        loss.backward()
        results[dtype] = {"loss": loss.detach().reshape(1), "dx": xx.grad}
    ref, f32 = results[torch.float64], results[torch.float32]
    check_close(case, "loss", ref["loss"], f32["loss"], OUT_TOL)
    check_close(case, "dx", ref["dx"], f32["dx"], GRAD_TOL)
    W.write("cross_entropy_weighted", case, header, [("x", x), ("target", target.to(torch.float64)), ("weight", w),
                                                      ("loss", ref["loss"]), ("dx", ref["dx"])])


def mse(case, shape):
    rng = Rng("mse_loss/" + case)
    x = rng.uniform(shape)
    target = rng.uniform(shape)
    loss_case("mse_loss", case, {"layer": "MSELoss", "reduction": "mean"}, lambda xx, t: F.mse_loss(xx, t), x, target)


def loss_cases():
    cross_entropy("indices", 5, 4, "indices")
    cross_entropy("indices_batch1", 1, 10, "indices")
    cross_entropy("indices_large_logits", 4, 6, "indices", scale=40.0)
    cross_entropy("probabilities", 4, 5, "probabilities")
    cross_entropy("one_hot", 3, 7, "one_hot")
    cross_entropy("per_pixel_indices", 2, 4, "indices", positions=(3, 5))
    cross_entropy("per_pixel_probabilities", 2, 3, "probabilities", positions=(2, 4))
    weighted_cross_entropy("weights", 6, 5)
    weighted_cross_entropy("ignore_default_index", 8, 4, weights=False, ignored=0.3)
    weighted_cross_entropy("per_pixel_ignore_255", 2, 5, positions=(4, 6), weights=False, ignore_index=255, ignored=0.25)
    weighted_cross_entropy("per_pixel_weights_ignore_255", 2, 6, positions=(3, 5), ignore_index=255, ignored=0.2)
    weighted_cross_entropy("per_pixel_weights_ignore_class", 3, 4, positions=(2, 3), ignore_index=2)
    mse("2d", (4, 5))
    mse("nchw", (2, 3, 3, 4))


def main():
    if os.path.isdir(OUT):
        for d, _, files in os.walk(OUT, topdown=False):
            for f in files:
                if f.endswith(".txt"):
                    os.remove(os.path.join(d, f))
    os.makedirs(OUT, exist_ok=True)
    conv2d_cases()
    conv_transpose2d_cases()
    upsample_cases()
    pool1d_cases()
    volume_cases()
    linear_cases()
    activation_cases()
    pool_cases()
    adaptive_pool_cases()
    batchnorm_cases()
    loss_cases()
    W.finish()
    print("torch %s: wrote %d fixtures, %d bytes, to %s" % (torch.__version__, len(W.index), W.bytes, OUT))


if __name__ == "__main__":
    main()
