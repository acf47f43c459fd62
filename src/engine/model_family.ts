// What a model directory holds, told from its files and ONNX metadata the way sherpa-onnx tells its
// model types apart. Earshot runs one family, the NeMo cache-aware streaming CTC export with its
// manifest (model.json, one .onnx, tokens.txt); a directory of another family is refused with what
// it is and what this server expects, rather than with a missing file.
import { readOnnxMetadata } from "./onnx_metadata.ts";

export const EXPECTED =
  "an Earshot model directory: model.json, the .onnx it lists (a NeMo cache-aware streaming CTC export " +
  "with its streaming metadata) and tokens.txt";

/** Why a directory without model.json cannot be served, naming the family it looks like. */
export async function unsupportedModelReason(dir: string): Promise<string> {
  let names: string[];
  try {
    names = [...Deno.readDirSync(dir)].map((e) => e.name);
  } catch (e) {
    return `cannot read the directory (${(e as Error).message}); expected ${EXPECTED}`;
  }
  const onnx = names.filter((n) => n.endsWith(".onnx"));
  const has = (part: string) => onnx.some((n) => n.includes(part));
  if (has("encoder") && has("decoder") && has("joiner")) {
    return "it holds a streaming transducer (encoder, decoder and joiner: an icefall Zipformer or NeMo " +
      `RNNT/TDT export), a family this server cannot run yet; expected ${EXPECTED}`;
  }
  if (onnx.length === 1) {
    const metadata = readOnnxMetadata(await Deno.readFile(`${dir}/${onnx[0]}`));
    if (metadata.cache_last_channel_dim1 !== undefined) {
      return `${onnx[0]} is a NeMo cache-aware streaming CTC export, but model.json is missing: write one ` +
        "(name, languages, sample_rate, streaming, vocabulary, files with their SHA-256; see models/README.md)";
    }
    if (/zipformer/i.test(metadata.model_type ?? "")) {
      return `${onnx[0]} is an icefall streaming Zipformer CTC model (model_type ${metadata.model_type}), ` +
        `a family this server cannot run yet; expected ${EXPECTED}`;
    }
    return `${onnx[0]} is no model family this server knows (metadata keys: ${
      Object.keys(metadata).join(", ") || "none"
    }); expected ${EXPECTED}`;
  }
  return `no model.json and ${onnx.length} .onnx files; expected ${EXPECTED}`;
}
