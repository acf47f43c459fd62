// Rewrites a streaming model so that its state tensors stay in device memory between calls.
// Each state gets a pool [rows, ...] as a graph input and its next value as a graph output; a
// call names, per stream of the batch, the row its state is read from ([B]) and the row its next
// state is written to ([B, 1]). Gather reads, the model runs, ScatterND writes. A new stream reads
// a row of zeros that nothing writes, so no other op touches the (large) states. Fed the previous
// call's pool output, a call uploads only features and indices and downloads what decoding needs.
import {
  concat,
  type Dim,
  FLOAT,
  GRAPH_INPUT,
  GRAPH_NODE,
  GRAPH_OUTPUT,
  INT64,
  lengthDelimited,
  MODEL_GRAPH,
  node,
  readFields,
  valueInfo,
  valueInfoName,
} from "./onnx_proto.ts";
import protobuf from "protobufjs";

/** A float state tensor of a model: its input, the output with its next value, its shape per stream. */
export interface PooledState {
  input: string;
  output: string;
  dims: readonly number[];
}

export const READ_ROWS_INPUT = "state_read_rows";
export const WRITE_ROWS_INPUT = "state_write_rows";

export function poolInput(state: PooledState): string {
  return `${state.input}_pool`;
}

export function poolOutput(state: PooledState): string {
  return `${state.input}_pool_next`;
}

export function withStatePool(model: Uint8Array, states: readonly PooledState[]): Uint8Array {
  const top = readFields(model);
  const graphField = top.find((f) => f.field === MODEL_GRAPH);
  if (!graphField?.payload) throw new Error("ONNX model has no graph");
  const graph = readFields(graphField.payload);
  const inputs = new Set(graph.filter((f) => f.field === GRAPH_INPUT).map((f) => valueInfoName(f.payload!)));
  const outputs = new Set(
    graph.filter((f) => f.field === GRAPH_OUTPUT).map((f) => valueInfoName(f.payload!)),
  );
  for (const s of states) {
    if (!inputs.has(s.input)) throw new Error(`ONNX model has no input ${s.input}`);
    if (!outputs.has(s.output)) throw new Error(`ONNX model has no output ${s.output}`);
  }
  const replaced = new Set(states.flatMap((s) => [s.input, s.output]));
  const kept = graph.filter((f) =>
    !((f.field === GRAPH_INPUT || f.field === GRAPH_OUTPUT) && replaced.has(valueInfoName(f.payload!)))
  );

  const before: Uint8Array[] = [];
  const after: Uint8Array[] = [];
  states.forEach((s, i) => {
    before.push(lengthDelimited(
      GRAPH_NODE,
      node("Gather", [poolInput(s), READ_ROWS_INPUT], [s.input], `state_gather_${i}`, { axis: 0 }),
    ));
    after.push(
      lengthDelimited(
        GRAPH_NODE,
        node("ScatterND", [poolInput(s), WRITE_ROWS_INPUT, s.output], [poolOutput(s)], `state_scatter_${i}`),
      ),
      lengthDelimited(GRAPH_INPUT, valueInfo(poolInput(s), FLOAT, ["state_pool_rows", ...s.dims])),
      lengthDelimited(GRAPH_OUTPUT, valueInfo(poolOutput(s), FLOAT, ["state_pool_rows", ...s.dims])),
    );
  });
  const batch: Dim = "state_batch";
  after.push(
    lengthDelimited(GRAPH_INPUT, valueInfo(READ_ROWS_INPUT, INT64, [batch])),
    lengthDelimited(GRAPH_INPUT, valueInfo(WRITE_ROWS_INPUT, INT64, [batch, 1])),
  );
  const newGraph = concat([...before, ...kept.map((f) => f.encoded), ...after]);
  return concat(top.map((f) => (f === graphField ? lengthDelimited(MODEL_GRAPH, newGraph) : f.encoded)));
}

export const GROW_INPUT = "pool";
export const GROW_PADS_INPUT = "pads";
export const GROW_OUTPUT = "grown";

/**
 * A model of one Pad node that appends rows of zeros to a pool of the given rank: how a pool grows
 * on the device (pads: [0, ..., 0, added rows, 0, ...]), so that its size follows the streams served.
 */
export function growPoolModel(rank: number): Uint8Array {
  const dims = ["rows", ...Array.from({ length: rank - 1 }, (_, i) => `d${i + 1}`)];
  const graph = concat([
    lengthDelimited(GRAPH_NODE, node("Pad", [GROW_INPUT, GROW_PADS_INPUT], [GROW_OUTPUT], "grow")),
    protobuf.Writer.create().uint32((2 << 3) | 2).string("grow_pool").finish(),
    lengthDelimited(GRAPH_INPUT, valueInfo(GROW_INPUT, FLOAT, dims)),
    lengthDelimited(GRAPH_INPUT, valueInfo(GROW_PADS_INPUT, INT64, [2 * rank])),
    lengthDelimited(GRAPH_OUTPUT, valueInfo(GROW_OUTPUT, FLOAT, ["grown_rows", ...dims.slice(1)])),
  ]);
  // ModelProto: ir_version 8 (1), opset_import {domain "", version 17} (8), graph (7)
  const opset = protobuf.Writer.create().uint32((1 << 3) | 2).string("").uint32(2 << 3).int64(17).finish();
  return concat([
    protobuf.Writer.create().uint32(1 << 3).int64(8).finish(),
    lengthDelimited(8, opset),
    lengthDelimited(MODEL_GRAPH, graph),
  ]);
}
