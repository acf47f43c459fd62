// A few ONNX protobuf messages, read and written at the byte level: enough to add nodes, inputs,
// outputs and small initializers to a model's graph while every other byte is kept as it was
// (a full schema would have to round-trip every field of every ONNX version).
import protobuf from "protobufjs";

export const MODEL_GRAPH = 7;
export const GRAPH_NODE = 1;
export const GRAPH_INITIALIZER = 5;
export const GRAPH_INPUT = 11;
export const GRAPH_OUTPUT = 12;

export const FLOAT = 1;
export const INT64 = 7;

/** One top-level field of a message: its number and its whole encoding (tag included). */
export interface RawField {
  field: number;
  wireType: number;
  encoded: Uint8Array;
  /** The payload of a length-delimited field. */
  payload?: Uint8Array;
}

export function readFields(bytes: Uint8Array): RawField[] {
  const reader = protobuf.Reader.create(bytes);
  const fields: RawField[] = [];
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    const wireType = tag & 7;
    let payload: Uint8Array | undefined;
    if (wireType === 2) {
      const length = reader.uint32();
      payload = bytes.subarray(reader.pos, reader.pos + length);
      reader.pos += length;
    } else {
      reader.skipType(wireType);
    }
    fields.push({ field: tag >>> 3, wireType, encoded: bytes.subarray(start, reader.pos), payload });
  }
  return fields;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) (out.set(p, offset), offset += p.length);
  return out;
}

/** A length-delimited field holding `payload`. */
export function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  return protobuf.Writer.create().uint32((field << 3) | 2).bytes(payload).finish();
}

/** The `name` (field 1) of a ValueInfoProto. */
export function valueInfoName(payload: Uint8Array): string {
  const name = readFields(payload).find((f) => f.field === 1);
  return name?.payload ? new TextDecoder().decode(name.payload) : "";
}

/** A dimension: a number, or a name for a dimension that varies. */
export type Dim = number | string;

export function valueInfo(name: string, elemType: number, dims: readonly Dim[]): Uint8Array {
  const shape = protobuf.Writer.create();
  for (const d of dims) {
    shape.uint32((1 << 3) | 2).fork();
    if (typeof d === "number") shape.uint32(1 << 3).int64(d);
    else shape.uint32((2 << 3) | 2).string(d);
    shape.ldelim();
  }
  const tensorType = protobuf.Writer.create().uint32(1 << 3).int32(elemType)
    .uint32((2 << 3) | 2).bytes(shape.finish()).finish();
  const type = protobuf.Writer.create().uint32((1 << 3) | 2).bytes(tensorType).finish();
  return protobuf.Writer.create().uint32((1 << 3) | 2).string(name).uint32((2 << 3) | 2).bytes(type).finish();
}

export function node(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  name: string,
  intAttributes: Record<string, number> = {},
): Uint8Array {
  const w = protobuf.Writer.create();
  for (const i of inputs) w.uint32((1 << 3) | 2).string(i);
  for (const o of outputs) w.uint32((2 << 3) | 2).string(o);
  w.uint32((3 << 3) | 2).string(name).uint32((4 << 3) | 2).string(opType);
  for (const [key, value] of Object.entries(intAttributes)) {
    // AttributeProto: name (1), i (3), type (20) = INT (2)
    w.uint32((5 << 3) | 2).fork().uint32((1 << 3) | 2).string(key).uint32(3 << 3).int64(value)
      .uint32(20 << 3).int32(2).ldelim();
  }
  return w.finish();
}

/** An int64 initializer (TensorProto: dims 1, data_type 2, int64_data 7, name 8). */
export function int64Initializer(name: string, values: readonly number[]): Uint8Array {
  const w = protobuf.Writer.create().uint32(1 << 3).int64(values.length).uint32(2 << 3).int32(INT64);
  w.uint32((7 << 3) | 2).fork();
  for (const v of values) w.int64(v);
  w.ldelim();
  return w.uint32((8 << 3) | 2).string(name).finish();
}

/**
 * The graph's input names (initializers that older exporters list as inputs left out) and output
 * names, in their order: the order sherpa-onnx passes tensors in.
 */
export function graphInputsOutputs(model: Uint8Array): { inputs: string[]; outputs: string[] } {
  const graphField = readFields(model).find((f) => f.field === MODEL_GRAPH);
  if (!graphField?.payload) throw new Error("ONNX model has no graph");
  const graph = readFields(graphField.payload);
  const initializers = new Set(
    graph.filter((f) => f.field === GRAPH_INITIALIZER).map((f) => {
      // TensorProto name (8)
      const name = readFields(f.payload!).find((g) => g.field === 8);
      return name?.payload ? new TextDecoder().decode(name.payload) : "";
    }),
  );
  const names = (field: number) =>
    graph.filter((f) => f.field === field).map((f) => valueInfoName(f.payload!));
  return {
    inputs: names(GRAPH_INPUT).filter((n) => !initializers.has(n)),
    outputs: names(GRAPH_OUTPUT),
  };
}

/** The dims of a ValueInfoProto's tensor type: a number, or the symbolic name (or "?" where none). */
export function valueInfoDims(payload: Uint8Array): (number | string)[] {
  const sub = (bytes: Uint8Array | undefined, field: number) =>
    bytes ? readFields(bytes).filter((f) => f.field === field).map((f) => f.payload!) : [];
  // ValueInfoProto.type (2) -> TypeProto.tensor_type (1) -> shape (2) -> dim (1)*
  const [type] = sub(payload, 2);
  const [tensor] = sub(type, 1);
  const [shape] = sub(tensor, 2);
  return sub(shape, 1).map((dim) => {
    const reader = protobuf.Reader.create(dim);
    let value: number | string = "?";
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag >>> 3 === 1 && (tag & 7) === 0) value = Number(reader.int64());
      else if (tag >>> 3 === 2 && (tag & 7) === 2) value = reader.string();
      else reader.skipType(tag & 7);
    }
    return value;
  });
}

/** The dims of each graph output, in order (valueInfoDims). */
export function graphOutputDims(model: Uint8Array): (number | string)[][] {
  const graphField = readFields(model).find((f) => f.field === MODEL_GRAPH);
  if (!graphField?.payload) throw new Error("ONNX model has no graph");
  return readFields(graphField.payload).filter((f) => f.field === GRAPH_OUTPUT).map((f) =>
    valueInfoDims(f.payload!)
  );
}
