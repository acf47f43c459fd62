// Rewrites a streaming model so that its state tensors stay in device memory between calls.
// Each state gets a pool [slots, ...] as a graph input and its next value as a graph output; a
// call names the rows it advances (`slots`, [B, 1]) and which of them start fresh (`keep`, [B],
// 0 for a new stream). Inside the graph GatherND takes the rows, Mul zeroes fresh ones, the model
// runs, and ScatterND writes the rows back. Fed the previous call's pool output, a call uploads
// only features and indices and downloads only what decoding needs.
import {
  concat,
  type Dim,
  FLOAT,
  GRAPH_INITIALIZER,
  GRAPH_INPUT,
  GRAPH_NODE,
  GRAPH_OUTPUT,
  INT64,
  int64Initializer,
  lengthDelimited,
  MODEL_GRAPH,
  node,
  readFields,
  valueInfo,
  valueInfoName,
} from "./onnx_proto.ts";

/** A float state tensor of a model: its input, the output with its next value, its shape per stream. */
export interface PooledState {
  input: string;
  output: string;
  dims: readonly number[];
}

export const SLOTS_INPUT = "state_slots";
export const KEEP_INPUT = "state_keep";

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
  const ranks = new Set(states.map((s) => s.dims.length + 1));
  for (const rank of ranks) {
    // keep [B] -> [B, 1, ...] to scale every element of a stream's row
    const axes = `state_keep_axes_${rank}`;
    after.push(lengthDelimited(GRAPH_INITIALIZER, int64Initializer(axes, range(1, rank))));
    before.push(lengthDelimited(
      GRAPH_NODE,
      node("Unsqueeze", [KEEP_INPUT, axes], [`state_keep_${rank}`], `state_keep_unsqueeze_${rank}`),
    ));
  }
  states.forEach((s, i) => {
    const gathered = `${s.input}_gathered`;
    before.push(
      lengthDelimited(
        GRAPH_NODE,
        node("GatherND", [poolInput(s), SLOTS_INPUT], [gathered], `state_gather_${i}`),
      ),
      lengthDelimited(
        GRAPH_NODE,
        node("Mul", [gathered, `state_keep_${s.dims.length + 1}`], [s.input], `state_fresh_${i}`),
      ),
    );
    after.push(
      lengthDelimited(
        GRAPH_NODE,
        node("ScatterND", [poolInput(s), SLOTS_INPUT, s.output], [poolOutput(s)], `state_scatter_${i}`),
      ),
      lengthDelimited(GRAPH_INPUT, valueInfo(poolInput(s), FLOAT, ["state_pool_slots", ...s.dims])),
      lengthDelimited(GRAPH_OUTPUT, valueInfo(poolOutput(s), FLOAT, ["state_pool_slots", ...s.dims])),
    );
  });
  const batch: Dim[] = ["state_batch"];
  after.push(
    lengthDelimited(GRAPH_INPUT, valueInfo(SLOTS_INPUT, INT64, [...batch, 1])),
    lengthDelimited(GRAPH_INPUT, valueInfo(KEEP_INPUT, FLOAT, batch)),
  );
  const newGraph = concat([...before, ...kept.map((f) => f.encoded), ...after]);
  return concat(top.map((f) => (f === graphField ? lengthDelimited(MODEL_GRAPH, newGraph) : f.encoded)));
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
