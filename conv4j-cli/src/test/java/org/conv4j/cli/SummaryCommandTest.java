package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.conv4j.io.Json;
import org.conv4j.io.ModelFile;
import org.conv4j.nn.BatchNorm3d;
import org.conv4j.nn.Conv1d;
import org.conv4j.nn.Conv3d;
import org.conv4j.nn.Flatten;
import org.conv4j.nn.Init;
import org.conv4j.nn.Linear;
import org.conv4j.nn.MaxPool1d;
import org.conv4j.nn.MaxPool3d;
import org.conv4j.nn.Sequential;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code conv4j summary} of 1-D (--input CxL) and 3-D (--input CxDxHxW) model files. */
class SummaryCommandTest {
    @TempDir
    static Path dir;
    static Path sequence, volume;

    @BeforeAll
    static void modelFiles() throws Exception {
        Init.seed(1);
        sequence = dir.resolve("sequence.safetensors");
        ModelFile.save(new Sequential(new Conv1d(2, 4, 5), new MaxPool1d(2), new Conv1d(4, 8, 3).dilation(2), new Flatten(), new Linear(8 * 44, 3)),
                sequence);
        volume = dir.resolve("volume.safetensors");
        ModelFile.save(new Sequential(new Conv3d(1, 4, 3).padding(1), new BatchNorm3d(4), new MaxPool3d(1, 2, 2), new Conv3d(4, 8, 3).stride(2)), volume);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> layer(Map<String, Object> m, int i) {
        return (Map<String, Object>) ((List<?>) m.get("layers")).get(i);
    }

    private static Map<String, Object> json(String... args) {
        Cli r = Cli.run(args);
        assertEquals(0, r.exitCode(), r.err());
        return Json.parseObject(r.out().trim());
    }

    @Test
    void oneDimensionalModelShowsItsLength() {
        // input 2x100
        // 0 Conv1d(2, 4, k5): length 100 - 4 = 96; params 4*2*5 + 4 = 44; FLOPs 2*4*96*2*5 = 7,680; rf 5, jump 1
        // 1 MaxPool1d(2): length 48; rf 5 + 1*1 = 6, jump 2
        // 2 Conv1d(4, 8, k3, dilation 2): window 5, length 48 - 4 = 44; params 8*4*3 + 8 = 104;
        //   FLOPs 2*8*44*4*3 = 8,448; rf 6 + 4*2 = 14, jump 2
        // 3 Flatten: 8*44 = 352
        // 4 Linear(352, 3): params 352*3 + 3 = 1,059; FLOPs 2*352*3 = 2,112; sees the whole length: rf 14 + 43*2 = 100, jump 2*44 = 88
        // totals: params 44 + 104 + 1,059 = 1,207; FLOPs 7,680 + 8,448 + 2,112 = 18,240
        Map<String, Object> m = json("summary", "--model", sequence.toString(), "--input", "2x100", "--json");
        assertEquals(List.of(1L, 2L, 100L), m.get("input"));
        assertEquals(List.of(1L, 3L), m.get("output"));
        assertEquals(1_207L, m.get("parameters"));
        assertEquals(18_240L, m.get("flops"));
        assertEquals(List.of(100L), m.get("receptive_field"));
        assertEquals(List.of(1L, 4L, 96L), layer(m, 0).get("output"));
        assertEquals(44L, layer(m, 0).get("parameters"));
        assertEquals(7_680L, layer(m, 0).get("flops"));
        assertEquals(List.of(5L), layer(m, 0).get("receptive_field"));
        assertEquals(List.of(6L), layer(m, 1).get("receptive_field"));
        assertEquals(List.of(2L), layer(m, 1).get("jump"));
        assertEquals(List.of(1L, 8L, 44L), layer(m, 2).get("output"));
        assertEquals(104L, layer(m, 2).get("parameters"));
        assertEquals(8_448L, layer(m, 2).get("flops"));
        assertEquals(List.of(14L), layer(m, 2).get("receptive_field"));
        assertEquals(2_112L, layer(m, 4).get("flops"));
        assertEquals(List.of(88L), layer(m, 4).get("jump"));

        Cli table = Cli.run("summary", "--model", sequence.toString(), "--input", "2x100");
        assertEquals(0, table.exitCode(), table.err());
        String[] lines = table.out().split("\n");
        assertTrue(lines[0].matches("layer +output shape +parameters +FLOPs +RF L +jump L"), lines[0]);
        assertTrue(lines[3].matches("2 \\(Conv1d\\) +\\[1, 8, 44] +104 +8,448 +14 +2"), lines[3]);
        assertTrue(lines[5].matches("4 \\(Linear\\) +\\[1, 3] +1,059 +2,112 +100 +88"), lines[5]);
        assertTrue(table.out().contains("parameters: 1,207"), table.out());
        assertTrue(table.out().contains("FLOPs per image: 18,240"), table.out());
    }

    @Test
    void threeDimensionalModelShowsDepthHeightAndWidth() {
        // input 1x8x16x16 (C x D x H x W)
        // 0 Conv3d(1, 4, 3, pad 1): 4x8x16x16; params 4*1*27 + 4 = 112; FLOPs 2*4*(8*16*16)*1*27 = 442,368; rf 3x3x3, jump 1x1x1
        // 1 BatchNorm3d(4): params 4 + 4 = 8; FLOPs 2*4*2,048 = 16,384
        // 2 MaxPool3d(1, 2, 2): 4x8x8x8; rf 3x4x4, jump 1x2x2
        // 3 Conv3d(4, 8, 3, stride 2): (8 - 3)/2 + 1 = 3 per axis, 8x3x3x3; params 8*4*27 + 8 = 872;
        //   FLOPs 2*8*27*4*27 = 46,656; rf D 3 + 2*1 = 5, H and W 4 + 2*2 = 8; jump 2x4x4
        // totals: params 112 + 8 + 872 = 992; FLOPs 442,368 + 16,384 + 46,656 = 505,408
        Map<String, Object> m = json("summary", "--model", volume.toString(), "--input", "1x8x16x16", "--json");
        assertEquals(List.of(1L, 1L, 8L, 16L, 16L), m.get("input"));
        assertEquals(List.of(1L, 8L, 3L, 3L, 3L), m.get("output"));
        assertEquals(992L, m.get("parameters"));
        assertEquals(505_408L, m.get("flops"));
        assertEquals(List.of(5L, 8L, 8L), m.get("receptive_field"));
        assertEquals(112L, layer(m, 0).get("parameters"));
        assertEquals(442_368L, layer(m, 0).get("flops"));
        assertEquals(List.of(3L, 3L, 3L), layer(m, 0).get("receptive_field"));
        assertEquals(8L, layer(m, 1).get("parameters"));
        assertEquals(16_384L, layer(m, 1).get("flops"));
        assertEquals(List.of(1L, 4L, 8L, 8L, 8L), layer(m, 2).get("output"));
        assertEquals(List.of(3L, 4L, 4L), layer(m, 2).get("receptive_field"));
        assertEquals(List.of(1L, 2L, 2L), layer(m, 2).get("jump"));
        assertEquals(872L, layer(m, 3).get("parameters"));
        assertEquals(46_656L, layer(m, 3).get("flops"));
        assertEquals(List.of(2L, 4L, 4L), layer(m, 3).get("jump"));

        Cli table = Cli.run("summary", "--model", volume.toString(), "--input", "1x8x16x16");
        assertEquals(0, table.exitCode(), table.err());
        String[] lines = table.out().split("\n");
        assertTrue(lines[0].matches("layer +output shape +parameters +FLOPs +RF DxHxW +jump DxHxW"), lines[0]);
        assertTrue(lines[4].matches("3 \\(Conv3d\\) +\\[1, 8, 3, 3, 3] +872 +46,656 +5x8x8 +2x4x4"), lines[4]);
        assertTrue(table.out().contains("parameters: 992"), table.out());
        assertTrue(table.out().contains("FLOPs per image: 505,408"), table.out());
    }

    @Test
    void otherRanksFailWithOneClearLine() {
        Cli noInput = Cli.run("summary", "--model", sequence.toString());
        assertEquals(2, noInput.exitCode());
        assertEquals("conv4j summary: the model file does not record its input size: give --input CxHxW (CxL, CxDxHxW for a 1-D, 3-D model)\n", noInput.err());
        Cli five = Cli.run("summary", "--model", volume.toString(), "--input", "1x2x3x4x5");
        assertEquals(2, five.exitCode());
        assertEquals("conv4j summary: --input must be CxL, CxHxW or CxDxHxW, e.g. 1x28x28, got '1x2x3x4x5'\n", five.err());
        Cli zoo = Cli.run("summary", "--model", "lenet5", "--input", "1x28");
        assertEquals("conv4j summary: --input must be CxHxW for the zoo network lenet5, got '1x28'\n", zoo.err());
        Cli wrongRank = Cli.run("summary", "--model", sequence.toString(), "--input", "2x10x10");
        assertEquals(2, wrongRank.exitCode());
        assertEquals("conv4j summary: the model does not accept input 2x10x10: layer 0 (Conv1d(2, 4, kernel_size=5)): "
                + "Conv1d: expected a rank-3 input (N, C, L), got shape [1, 2, 10, 10]\n", wrongRank.err());
        // the other commands still take images only
        Cli predict = Cli.run("predict", "--model", sequence.toString(), "--input", "2x100", "x.png");
        assertEquals(2, predict.exitCode());
        assertTrue(predict.err().contains("--input must be CxHxW, e.g. 1x28x28, got '2x100'"), predict.err());
    }
}
