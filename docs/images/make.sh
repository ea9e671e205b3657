#!/usr/bin/env bash
# Regenerates the pictures of docs/images from what ships with conv4j (no external image):
# scene.png (drawn by Scene.java), digit.png and digit-on-paper.png (test digit 1 of the MNIST
# sample, a 7), then the outputs of visualize (a LeNet-5 trained 5 epochs) and filter.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
img=docs/images
java -Djava.awt.headless=true "$img/Scene.java" "$img/scene.png"
java "$img/Digit.java" data/mnist-sample/t10k-images-idx3-ubyte.gz 1 "$img/digit.png"
java "$img/Digit.java" data/mnist-sample/t10k-images-idx3-ubyte.gz 1 "$img/digit-on-paper.png" paper 4
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
./conv4j train --epochs 5 --seed 42 --out "$tmp/lenet5"
./conv4j visualize --model-file "$tmp/lenet5" --image "$img/digit.png" --out "$tmp/visualize"
cp "$tmp/visualize/filters.png" "$tmp/visualize/maps-01-features.0.png" "$img/"
./conv4j predict --model-file "$tmp/lenet5" "$img/digit-on-paper.png"
./conv4j filter --kernel sobel --padding same "$img/scene.png" "$img/sobel.png"
./conv4j filter --kernel laplacian --padding same "$img/scene.png" "$img/laplacian.png"
