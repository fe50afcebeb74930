/**
 * Geometry for the "What happens next" timeline, computed at build time from the journey collection.
 * A single vertical column, so it reads the same at 320 px and on a wide screen (the SVG scales).
 */
export interface TimelineStageInput {
  label: string;
  href: string;
}

export interface TimelineStage extends TimelineStageInput {
  number: number;
  /** Top of the stage's clickable box. */
  boxY: number;
  /** Vertical centre of the stage (circle and text). */
  cy: number;
}

export interface TimelineLayout {
  width: number;
  height: number;
  boxX: number;
  boxWidth: number;
  boxHeight: number;
  lineX: number;
  circleRadius: number;
  labelX: number;
  chevronX: number;
  start: { cy: number; label: string };
  end: { cy: number; label: string };
  stages: TimelineStage[];
}

export const TIMELINE = {
  width: 300,
  top: 28,
  firstStage: 58,
  row: 60,
  boxHeight: 52,
  lineX: 34,
  circleRadius: 17,
} as const;

export function layoutTimeline(
  stages: readonly TimelineStageInput[],
  labels: { start: string; end: string } = { start: 'Police contact', end: 'Rebuilding your life' },
): TimelineLayout {
  if (stages.length === 0) throw new Error('The timeline needs at least one stage');
  const t = TIMELINE;
  const laidOut = stages.map((stage, index) => {
    const boxY = t.firstStage + index * t.row;
    return { ...stage, number: index + 1, boxY, cy: boxY + t.boxHeight / 2 };
  });
  const endCy = t.firstStage + stages.length * t.row + 22;
  return {
    width: t.width,
    height: endCy + 28,
    boxX: 4,
    boxWidth: t.width - 8,
    boxHeight: t.boxHeight,
    lineX: t.lineX,
    circleRadius: t.circleRadius,
    labelX: t.lineX + t.circleRadius + 14,
    chevronX: t.width - 26,
    start: { cy: t.top, label: labels.start },
    end: { cy: endCy, label: labels.end },
    stages: laidOut,
  };
}
