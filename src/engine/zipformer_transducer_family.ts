// The icefall streaming Zipformer transducer family, in the manner of sherpa-onnx's
// OnlineZipformer2TransducerModel (online-zipformer2-transducer-model.cc): three ONNX files, as the
// sherpa-onnx zoo ships them in sherpa-onnx-streaming-zipformer-* directories (made by icefall's
// egs/librispeech/ASR/zipformer/export-onnx-streaming.py):
//   encoder  the streaming Zipformer (its metadata, states, chunking and layout:
//            zipformer_ctc_family.ts), whose first output is encoder_out [N, decode_chunk_len / 4, joiner_dim]
//   decoder  y [N, context_size] int64 -> decoder_out [N, joiner_dim]; metadata context_size, vocab_size
//   joiner   encoder_out [N, joiner_dim], decoder_out [N, joiner_dim] -> logit [N, vocab_size]
// This file alone knows those files and the decoder's and joiner's tensors; the search is
// transducer_greedy.ts.

export interface TransducerFiles {
  encoder: string;
  decoder: string;
  joiner: string;
}

/**
 * The encoder, decoder and joiner of a directory's .onnx files (names holding those words), the
 * float ones where the int8 ones lie beside them; undefined when one part is missing, an Error when
 * a part is there twice.
 */
export function transducerFiles(onnxNames: readonly string[]): TransducerFiles | undefined {
  const pick = (part: string): string | undefined => {
    const all = onnxNames.filter((n) => n.includes(part));
    const float = all.length > 1 ? all.filter((n) => !n.includes(".int8.")) : all;
    if (float.length > 1) {
      throw new Error(`${float.join(", ")} are each a transducer ${part}; keep one of them in the directory`);
    }
    return float[0];
  };
  const encoder = pick("encoder"), decoder = pick("decoder"), joiner = pick("joiner");
  return encoder && decoder && joiner ? { encoder, decoder, joiner } : undefined;
}

/** What the search needs of the decoder: its left context and the vocabulary (blank included). */
export interface TransducerDecoderInfo {
  contextSize: number;
  vocabSize: number;
}

/** The decoder's metadata as sherpa-onnx reads it (InitDecoder); an Error naming what is wrong. */
export function decoderFromMetadata(metadata: Record<string, string>, file: string): TransducerDecoderInfo {
  const int = (key: string) => {
    const raw = metadata[key];
    if (raw === undefined) throw new Error(`${file} metadata lacks ${key} (a transducer decoder's)`);
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${file} metadata ${key} is "${raw}"`);
    return value;
  };
  return { contextSize: int("context_size"), vocabSize: int("vocab_size") };
}

/**
 * The joiner's width, from the decoder's output [N, joiner_dim]; the joiner must give logits of the
 * decoder's vocabulary. An Error naming the mismatch otherwise.
 */
export function joinerDim(
  decoderOutputDims: readonly (number | string)[][],
  joinerOutputDims: readonly (number | string)[][],
  info: TransducerDecoderInfo,
  files: TransducerFiles,
): number {
  const dim = decoderOutputDims[0]?.[1];
  if (decoderOutputDims[0]?.length !== 2 || typeof dim !== "number") {
    throw new Error(
      `${files.decoder}: its output has dims [${decoderOutputDims[0]?.join(", ")}]; a transducer decoder ` +
        "gives [N, joiner_dim]",
    );
  }
  const logits = joinerOutputDims[0]?.[1];
  if (typeof logits === "number" && logits !== info.vocabSize) {
    throw new Error(
      `${files.joiner} gives ${logits} logits but ${files.decoder} says vocab_size ${info.vocabSize}`,
    );
  }
  return dim;
}
