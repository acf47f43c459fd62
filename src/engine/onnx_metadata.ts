// Reads the custom metadata (ModelProto.metadata_props) of an ONNX file without loading the graph:
// the runtimes' JS APIs do not expose it, and the manifest check needs it.
import protobuf from "protobufjs";

const METADATA_PROPS_FIELD = 14;

export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const reader = protobuf.Reader.create(bytes);
  const out: Record<string, string> = {};
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const field = tag >>> 3;
    if (field === METADATA_PROPS_FIELD && (tag & 7) === 2) {
      const entry = protobuf.Reader.create(reader.bytes());
      let key = "";
      let value = "";
      while (entry.pos < entry.len) {
        const t = entry.uint32();
        if (t >>> 3 === 1) key = entry.string();
        else if (t >>> 3 === 2) value = entry.string();
        else entry.skipType(t & 7);
      }
      out[key] = value;
    } else {
      reader.skipType(tag & 7);
    }
  }
  return out;
}
