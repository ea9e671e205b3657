package org.conv4j.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.conv4j.tensor.Shape;
import org.conv4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The fixture loader: the committed index parses completely, and malformed files say where. */
class FixtureTest {

    @Test
    void everyIndexedFixtureParsesAndNamesItsCase() {
        List<String> index = Fixture.index();
        assertEquals(218, index.size(), "fixtures in index.txt");
        Set<String> families = new TreeSet<>();
        for (String path : index) {
            Fixture f = Fixture.load(path);
            String family = path.substring(0, path.indexOf('/'));
            families.add(family);
            assertEquals(family + "/" + f.name() + ".txt", path, "case key of " + path);
            assertFalse(f.get("layer").isEmpty(), path);
            assertTrue(f.has("x"), path + " has an input x");
        }
        assertEquals(new TreeSet<>(List.of("adaptive_avgpool2d", "adaptive_maxpool2d", "avgpool1d", "avgpool2d", "avgpool3d", "batchnorm1d", "batchnorm2d", "batchnorm3d", "conv1d", "conv2d", "conv3d", "conv_transpose2d", "cross_entropy", "cross_entropy_weighted", "dropout", "global_avgpool2d", "leaky_relu", "linear", "maxpool1d", "maxpool2d", "maxpool3d", "mse_loss", "relu", "sigmoid", "softmax", "tanh", "upsample")), families);
    }

    @Test
    void parsesHeaderAndTensorsExactly() throws Exception {
        String text = "# comment\nlayer=Conv2d case=demo kernel=3,2 bias=false eps=1e-05\n"
                + "tensor x 2 3\n1 -2.5 3e-3 0.100000001 -0 7\ntensor loss 1\n0.693147182\n";
        Fixture f = Fixture.parse("demo.txt", new StringReader(text));
        assertEquals("demo", f.name());
        assertArrayEquals(new int[] {3, 2}, f.ints("kernel"));
        assertFalse(f.bool("bias"));
        assertEquals(1e-5f, f.number("eps"));
        Tensor x = f.tensor("x");
        assertEquals(Shape.of(2, 3), x.shape());
        assertArrayEquals(new float[] {1, -2.5f, 3e-3f, 0.1f, -0f, 7}, x.toArray());
        assertEquals(Set.of("loss"), f.unused());
        assertEquals(0.6931472f, f.tensor("loss").at(0));
        assertEquals(Set.of(), f.unused());
    }

    @Test
    void malformedFixturesFailWithFileAndLine() throws Exception {
        var e = assertThrows(IllegalStateException.class,
                () -> Fixture.parse("a.txt", new StringReader("layer=X case=a\ntensor x 2 2\n1 2 3\n")));
        assertEquals("fixture a.txt line 3: tensor x of shape [2, 2] needs 4 values, got 3", e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> Fixture.parse("b.txt", new StringReader("layer=X oops\n")));
        assertEquals("fixture b.txt line 1: header item 'oops' is not key=value", e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> Fixture.parse("c.txt", new StringReader("layer=X\nvalues 1 2\n")));
        assertTrue(e.getMessage().startsWith("fixture c.txt line 2: expected 'tensor NAME d0 d1 ...'"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> Fixture.parse("d.txt", new StringReader("layer=X\ntensor x 1\n")));
        assertEquals("fixture d.txt line 3: tensor x has no line of values", e.getMessage());
        Fixture ok = Fixture.parse("e.txt", new StringReader("layer=X case=e\ntensor x 1\n5\n"));
        e = assertThrows(IllegalStateException.class, () -> ok.tensor("y"));
        assertEquals("fixture e.txt has no tensor 'y' (it has [x])", e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> ok.get("kernel"));
        assertEquals("fixture e.txt has no header key 'kernel'", e.getMessage());
    }
}
