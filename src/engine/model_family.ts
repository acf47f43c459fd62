// What a model directory without model.json holds, told from its files and ONNX metadata the way
// sherpa-onnx tells its model types apart. Earshot runs four families bare, as the sherpa-onnx zoo
// ships them: the NeMo cache-aware streaming CTC export (nemo_ctc_family.ts; also with Earshot's
// manifest) and the icefall streaming Zipformer CTC model (zipformer_ctc_family.ts), each one .onnx
// with the family's metadata and tokens.txt, and the icefall streaming Zipformer transducer
// (zipformer_transducer_family.ts: encoder, decoder and joiner .onnx files, tokens.txt) and the NeMo cache-aware
// streaming transducer (nemo_transducer_family.ts: the same three files). A directory of another family is refused with what
// it is and what this server expects, rather than with a missing file.
import { isNemoCtcExport, STREAMING_KEYS } from "./nemo_ctc_family.ts";
import { isNemoTransducerEncoder } from "./nemo_transducer_family.ts";
import { readOnnxMetadata } from "./onnx_metadata.ts";
import { isZipformerExport, ZIPFORMER_KEYS } from "./zipformer_ctc_family.ts";
import { type TransducerFiles, transducerFiles } from "./zipformer_transducer_family.ts";

export const EXPECTED =
  "an Earshot model directory (model.json, the .onnx it lists and tokens.txt), a NeMo " +
  "cache-aware streaming CTC export as sherpa-onnx ships it (one .onnx with its streaming metadata, " +
  "such as model.onnx or model.int8.onnx, and tokens.txt), an icefall streaming Zipformer CTC " +
  "model as sherpa-onnx ships it (one ctc-*.onnx with model_type zipformer2, and tokens.txt), an icefall " +
  "streaming Zipformer transducer as sherpa-onnx ships it (encoder-, decoder- and joiner-*.onnx, tokens.txt) " +
  "or a NeMo cache-aware streaming transducer as sherpa-onnx ships it (encoder.onnx with its streaming " +
  "metadata, decoder.onnx, joiner.onnx, tokens.txt)";

type Found = { onnx: string; bytes: Uint8Array; metadata: Record<string, string> };

export type ModelDirKind =
  | { kind: "nemo-ctc-export" } & Found
  | { kind: "zipformer-ctc-export" } & Found
  | { kind: "zipformer-transducer-export"; files: TransducerFiles } & Found
  | { kind: "nemo-transducer-export"; files: TransducerFiles } & Found
  | { kind: "unsupported"; reason: string };

const FAMILIES = [
  { kind: "nemo-ctc-export", test: isNemoCtcExport, what: "a NeMo cache-aware streaming CTC export" },
  { kind: "zipformer-ctc-export", test: isZipformerExport, what: "an icefall streaming Zipformer CTC model" },
] as const;

/** What a directory without model.json holds: a NeMo CTC export to load, or why it cannot be served. */
export async function identifyModelDir(dir: string): Promise<ModelDirKind> {
  const refuse = (reason: string): ModelDirKind => ({ kind: "unsupported", reason });
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)].filter((e) => e.isFile).map((e) => e.name).sort();
  } catch (e) {
    return refuse(`cannot read the directory (${(e as Error).message}); expected ${EXPECTED}`);
  }
  const onnx = names.filter((n) => n.endsWith(".onnx"));
  let transducer: TransducerFiles | undefined;
  try {
    transducer = transducerFiles(onnx);
  } catch (e) {
    return refuse((e as Error).message);
  }
  if (transducer) {
    const bytes = await Deno.readFile(`${dir}/${transducer.encoder}`);
    const metadata = metadataOf(transducer.encoder, bytes);
    if (typeof metadata === "string") return refuse(metadata);
    if (isZipformerExport(metadata)) {
      return {
        kind: "zipformer-transducer-export",
        files: transducer,
        onnx: transducer.encoder,
        bytes,
        metadata,
      };
    }
    if (isNemoTransducerEncoder(metadata)) {
      return { kind: "nemo-transducer-export", files: transducer, onnx: transducer.encoder, bytes, metadata };
    }
    return refuse(
      `it holds a streaming transducer (encoder, decoder and joiner) whose encoder ${transducer.encoder} is ` +
        `neither an icefall streaming Zipformer nor a NeMo cache-aware streaming one (model_type ` +
        `${metadata.model_type ?? "none"}; a NeMo encoder needs ${
          [...STREAMING_KEYS, "pred_rnn_layers", "pred_hidden"].filter((k) => metadata[k] === undefined).join(
            ", ",
          )
        }): a non-streaming (offline) transducer?; expected ${EXPECTED}`,
    );
  }
  if (!onnx.length) return refuse(`no model.json and 0 .onnx files; expected ${EXPECTED}`);
  const found = [];
  for (const name of onnx) {
    const bytes = await Deno.readFile(`${dir}/${name}`);
    const metadata = metadataOf(name, bytes);
    if (typeof metadata === "string") return refuse(metadata);
    found.push({ name, bytes, metadata });
  }
  for (const family of FAMILIES) {
    const exports = found.filter((f) => family.test(f.metadata));
    // The zoo ships the float and the int8 model in directories of their own, or (Zipformer CTC)
    // side by side; where one directory holds both, the float one is served (the int8 file is the
    // same network, quantised).
    const chosen = exports.length > 1 ? exports.filter((f) => !f.name.includes(".int8.")) : exports;
    if (chosen.length === 1) {
      const [{ name, bytes, metadata }] = chosen;
      return { kind: family.kind, onnx: name, bytes, metadata };
    }
    if (chosen.length > 1) {
      return refuse(
        `${chosen.map((f) => f.name).join(", ")} are each ${family.what}; keep one of them in the directory`,
      );
    }
  }
  if (found.length > 1) return refuse(`no model.json and ${onnx.length} .onnx files; expected ${EXPECTED}`);
  const [{ name, metadata }] = found;
  if (metadata.cache_last_channel_dim1 !== undefined) {
    return refuse(
      `${name} looks like a NeMo cache-aware streaming CTC export, but its metadata lacks ${
        STREAMING_KEYS.filter((k) => metadata[k] === undefined).join(", ")
      } (sherpa-onnx needs them too); expected ${EXPECTED}`,
    );
  }
  if (/zipformer/i.test(metadata.model_type ?? "")) {
    return refuse(
      `${name} has model_type ${metadata.model_type} but not the metadata of a streaming Zipformer CTC ` +
        `model (it lacks ${ZIPFORMER_KEYS.filter((k) => metadata[k] === undefined).join(", ")}; ` +
        `sherpa-onnx needs them too): a non-streaming model?; expected ${EXPECTED}`,
    );
  }
  return refuse(
    `${name} is no model family this server knows (metadata keys: ${
      Object.keys(metadata).join(", ") || "none"
    }); expected ${EXPECTED}`,
  );
}

/** A file's ONNX metadata, or why it cannot be read as an ONNX model. */
function metadataOf(name: string, bytes: Uint8Array): Record<string, string> | string {
  try {
    return readOnnxMetadata(bytes);
  } catch (e) {
    return `${name} is not a readable ONNX model (${(e as Error).message}); expected ${EXPECTED}`;
  }
}
