package org.conv4j.cli.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Line charts of training curves, drawn by XChart into PNG bytes (headless: no display needed).
 * Each series is a list of (epoch, value) points; NaN values (an epoch without validation) are
 * left out, and a series with no point at all is not drawn.
 */
public final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Chart size in pixels. */
    public static final int WIDTH = 540, HEIGHT = 360;
    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728)};

    /** One named curve: y against x. */
    public record Series(String name, double[] x, double[] y) {
    }

    private Charts() {
    }

    /** A PNG line chart of the series against the epoch, with a title and a y-axis title. */
    public static byte[] linePng(String title, String yTitle, List<Series> series) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        var st = chart.getStyler();
        st.setTheme(new org.knowm.xchart.style.theme.MatlabTheme());
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotGridLinesColor(new Color(0xe3e3e3));
        st.setPlotGridLinesStroke(new BasicStroke(1f));
        st.setPlotBorderVisible(false);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        // below the plot, so it never hides a curve
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setLegendLayout(Styler.LegendLayout.Horizontal);
        st.setLegendBorderColor(Color.WHITE);
        st.setMarkerSize(7);
        st.setXAxisDecimalPattern("0");
        st.setAntiAlias(true);
        st.setYAxisDecimalPattern("0.###");
        double maxX = 1, minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        int drawn = 0;
        for (Series s : series) {
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.y()[i])) {
                    xs.add(s.x()[i]);
                    ys.add(s.y()[i]);
                    maxX = Math.max(maxX, s.x()[i]);
                    minY = Math.min(minY, s.y()[i]);
                    maxY = Math.max(maxY, s.y()[i]);
                }
            }
            if (xs.isEmpty()) continue;
            XYSeries xy = chart.addSeries(s.name(), xs, ys);
            Color c = COLOURS[drawn++ % COLOURS.length];
            xy.setLineColor(c);
            xy.setMarkerColor(c);
            xy.setMarker(SeriesMarkers.CIRCLE);
            xy.setLineStyle(new BasicStroke(2f));
        }
        if (drawn == 0) chart.addSeries("no data", new double[] {1}, new double[] {0});
        if (drawn > 0 && maxY - minY <= 1e-9 * Math.max(1, Math.abs(maxY))) {
            // one value (one epoch): a range around it, as an axis of zero height has no ticks to show
            double d = Math.max(0.1 * Math.abs(maxY), 0.01), step = Math.pow(10, Math.floor(Math.log10(d)));
            st.setYAxisMin(Math.floor((minY - d) / step) * step);
            st.setYAxisMax(Math.ceil((maxY + d) / step) * step);
        }
        // whole epochs on the x axis, with half an epoch of room at either end so one epoch is still a visible point
        st.setXAxisMin(0.5);
        st.setXAxisMax(maxX + 0.5);
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory
        }
    }
}
