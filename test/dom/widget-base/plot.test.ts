import { expect, test } from 'vitest';
import { clearPlot, loadPlot, plotInto, type Plot } from '../../../components/widget-base/plot';

const line = (Plot: Plot, ys: number[]) => ({ marks: [Plot.lineY(ys)] });

test('before Plot loads, only the latest plot asked of a container is drawn, and clearPlot drops one still waiting', async () => {
  const twice = document.createElement('div');
  const cleared = document.createElement('div');
  document.body.append(twice, cleared);
  const built: string[] = [];
  plotInto(twice, 'first', (Plot) => (built.push('first'), line(Plot, [1, 2])));
  plotInto(twice, 'second', (Plot) => (built.push('second'), line(Plot, [3, 1, 2])));
  plotInto(cleared, 'dropped', (Plot) => (built.push('dropped'), line(Plot, [1])));
  clearPlot(cleared);
  expect(twice.childElementCount).toBe(0);

  await loadPlot();
  await Promise.resolve();
  expect(built).toEqual(['second']);
  expect(twice.querySelectorAll(':scope > [role="img"]')).toHaveLength(1);
  expect(twice.firstElementChild?.getAttribute('aria-label')).toBe('second');
  expect(cleared.childElementCount).toBe(0);
});

test('once Plot has loaded, a plot is drawn at once, titled as a heading below the widget’s', () => {
  const container = document.createElement('div');
  document.body.append(container);
  plotInto(container, 'Loss', (Plot) => ({ subtitle: 'per step', marks: [Plot.lineY([4, 2, 1])] }));
  const figure = container.firstElementChild!;
  expect(figure.getAttribute('aria-label')).toBe('Loss');
  expect(figure.querySelector('h4')?.textContent).toBe('Loss');
  expect(figure.querySelector('h5')?.textContent).toBe('per step');
  expect(figure.querySelectorAll('path').length).toBeGreaterThan(0);
});
