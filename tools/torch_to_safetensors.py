#!/usr/bin/python3
"""Writes a PyTorch state_dict as a safetensors file that conv4j's PyTorchWeights loads.

    /usr/bin/python3 tools/torch_to_safetensors.py weights.pth out.safetensors
    /usr/bin/python3 tools/torch_to_safetensors.py --torchvision resnet18 [--seed 0] [--num-classes 1000] out.safetensors

The first form reads a state_dict saved with torch.save (or a whole model, whose state_dict is
taken); the second dumps a torchvision model built with random weights (weights=None) from a
fixed seed. The file is what safetensors.torch.save_file writes: float tensors as F32 (float16,
bfloat16 and float64 converted), int64 ones (BatchNorm's num_batches_tracked) as I64, written
here with json and struct so the safetensors package is not needed.

Then in Java: PyTorchWeights.load(Zoo.build("resnet18", 3, 224, 224, 1000), Path.of("out.safetensors")),
or ./conv4j import-weights --model resnet18 --weights out.safetensors --out model.safetensors.
"""
import argparse
import json
import struct
import sys

import torch


def save_file(tensors, path):
    """safetensors layout: u64 header length, JSON header padded with spaces to 8 bytes, raw data."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().cpu().contiguous()
        if t.dtype == torch.int64:
            dtype = "I64"
        elif t.is_floating_point():
            t, dtype = t.to(torch.float32), "F32"
        else:
            raise SystemExit("torch_to_safetensors: %s has dtype %s; only float and int64 tensors are written" % (name, t.dtype))
        data = t.numpy().tobytes()  # little-endian: checked in main
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def torchvision_model(name, seed, num_classes):
    import torchvision
    torch.manual_seed(seed)
    kwargs = {"weights": None, "num_classes": num_classes}
    if name == "googlenet":
        kwargs.update(aux_logits=False, init_weights=True)
    return getattr(torchvision.models, name)(**kwargs)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("source", nargs="?", help="a .pth file from torch.save (a state_dict or a model)")
    p.add_argument("out", help="the safetensors file to write")
    p.add_argument("--torchvision", metavar="NAME", help="dump torchvision.models.NAME with random weights instead")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--num-classes", type=int, default=1000)
    a = p.parse_args(argv)
    if sys.byteorder != "little":
        raise SystemExit("torch_to_safetensors: safetensors data are little-endian; this machine is not")
    if (a.source is None) == (a.torchvision is None):
        p.error("give either a .pth file or --torchvision NAME")
    if a.torchvision:
        state = torchvision_model(a.torchvision, a.seed, a.num_classes).state_dict()
    else:
        obj = torch.load(a.source, map_location="cpu")
        state = obj.state_dict() if hasattr(obj, "state_dict") else obj
    save_file(state, a.out)
    print("wrote %d tensors to %s" % (len(state), a.out))


if __name__ == "__main__":
    main(sys.argv[1:])
