/**
 * ONNX interoperability: {@code OnnxImport} reads an ONNX file into a conv4j model. The protobuf
 * messages are classes generated at build time from the vendored {@code onnx.proto}
 * (package {@code org.conv4j.onnx.proto}).
 */
package org.conv4j.onnx;
