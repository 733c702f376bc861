import { GRADE_NAMES } from '../../shared/grades.js';
import type { GradeProgress, GradeResult, ModelLoadProgress, ModelPair } from '../../shared/protocol.js';
import { InferenceError } from '../../shared/protocol.js';
import { EYE_NAMES, type VisitEye } from '../../shared/visit-outcome.js';
import type { InferenceService } from '../inference-service.js';
import { toScreeningRecord } from '../records/screening-record.js';
import type { Announce } from './announcer.js';
import { gradingStageText } from './grading-stage.js';
import type { RuntimesState } from './models-controller.js';
import { messageOf } from './state-controller.js';
import { THUMBNAIL_MAX_SIDE, type VisitPhotos, type VisitRecordSaves } from './visit-record-saves.js';
import { currentPhoto, eyeName, gradableOnlyAnyway, type ScreenPhoto } from './visit-state.js';

/** What the visit needs of the models (ModelsController). */
export interface VisitModels {
  readonly pair: ModelPair | null;
  readonly modelsUrl: string;
  readonly state: { readonly runtimes: RuntimesState };
  onProgress(progress: ModelLoadProgress): void;
  gradedWith(result: GradeResult): void;
}

export interface VisitGradingOptions {
  service: Pick<InferenceService, 'grade'>;
  models: VisitModels;
  announce: Announce;
  saves: VisitRecordSaves;
  /** Puts a new result on screen; the record is saved once it is there. */
  showResult: (photo: ScreenPhoto) => Promise<void>;
  /** A grading ended without a result: its message, or 'cancelled'. */
  failed: (message: string) => void;
}

/**
 * The grading of a visit's photos, one at a time: why a photo cannot be graded now, the grade request
 * with its progress (cancellable; "grade anyway" against the quality gate), and the graded record, put on
 * the photo and saved under its id.
 */
export class VisitGrading {
  private abort: AbortController | null = null;

  constructor(
    private readonly visit: VisitPhotos & { setActiveEye(eye: VisitEye): void },
    private readonly options: VisitGradingOptions,
  ) {}

  /** The photo being graded, if any. */
  get current(): ScreenPhoto | null {
    return this.visit.current().photos.find((photo) => photo.grading) ?? null;
  }

  /** Why this photo cannot be graded now; empty when it can (perhaps only anyway: gradableOnlyAnyway). */
  blockerFor(photo: ScreenPhoto): string {
    const { models } = this.options;
    if (photo.readError) return 'Choose another photo.';
    if (!photo.inspect) return 'Reading the photo…';
    if (!photo.inspect.fov.found) return 'No retina was found in this photo.';
    if (!models.pair) return 'No model is available.';
    if (models.state.runtimes === 'starting') return 'Starting the runtimes…';
    if (models.state.runtimes === 'failed') return 'The runtimes did not start (see Status).';
    const grading = this.current;
    if (grading && grading.id !== photo.id) return `Wait: the ${eyeName(grading.eye)}'s photo is being graded.`;
    return '';
  }

  /** Why each eye's current photo cannot be graded now. */
  get blockers(): Record<VisitEye, string> {
    const blocker = (eye: VisitEye) => {
      const photo = currentPhoto(this.visit.current().photos, eye);
      return photo ? this.blockerFor(photo) : 'Choose a photo first.';
    };
    return { right: blocker('right'), left: blocker('left') };
  }

  /** Grades a photo, then saves its record; `anyway` is needed, and recorded, where the quality gate said ungradable. */
  async grade(photoId: string, { anyway = false } = {}): Promise<void> {
    const photo = this.find(photoId);
    const { models, service, announce } = this.options;
    const pair = models.pair;
    if (!photo?.inspect || !pair || this.blockerFor(photo) || this.current) return;
    const gradedAnyway = gradableOnlyAnyway(photo);
    if (gradedAnyway && !anyway) return;
    const abort = new AbortController();
    this.abort = abort;
    this.visit.patch(photoId, { grading: { stage: 'Starting…' }, result: null, gradeError: '' });
    this.visit.setActiveEye(photo.eye);
    announce(gradedAnyway ? 'Grading anyway…' : 'Grading…');
    let result: GradeResult;
    try {
      // The photo the worker kept from the preview; the file is read again only if the worker lost it.
      result = await service.grade(
        () => photo.file.arrayBuffer(),
        {
          modelsUrl: models.modelsUrl,
          models: pair,
          photoId: photo.inspect.photoId,
          thumbnailMaxSide: THUMBNAIL_MAX_SIDE,
        },
        { signal: abort.signal, onProgress: (p) => this.onProgress(photoId, p) },
      );
    } catch (error) {
      const cancelled = error instanceof InferenceError && error.code === 'aborted';
      const message = cancelled ? '' : messageOf(error);
      this.visit.patch(photoId, { gradeError: message });
      announce(cancelled ? 'Grading cancelled.' : `Grading failed: ${message}`);
      this.options.failed(cancelled ? 'cancelled' : message);
      return;
    } finally {
      if (this.abort === abort) this.abort = null;
      this.visit.patch(photoId, { grading: null });
    }
    models.gradedWith(result);
    // The photo as it is now: the screener may have moved it, or renamed the patient, meanwhile.
    const now = this.find(photoId);
    if (!now) return;
    const { saves } = this.options;
    const record = { ...toScreeningRecord(result, { ...saves.recordInput(now), gradedAnyway }), id: photoId };
    this.visit.patch(photoId, { result, record });
    const { grade, refer, agree } = result.outcome;
    announce(
      `${EYE_NAMES[now.eye]}: grade ${grade}, ${GRADE_NAMES[grade]}. ${refer ? 'Refer to an ophthalmologist.' : 'No referral needed.'}${agree ? '' : ' The models disagree.'}`,
    );
    await this.options.showResult(now);
    await saves.save(photoId, record);
  }

  /** Stops the grading in progress; it ends as cancelled, with no error shown. */
  cancel(): void {
    this.abort?.abort();
  }

  private find(photoId: string): ScreenPhoto | undefined {
    return this.visit.current().photos.find((photo) => photo.id === photoId);
  }

  private onProgress(photoId: string, progress: GradeProgress): void {
    if (!this.find(photoId)?.grading) return;
    if (progress.stage === 'download' || progress.stage === 'warm-up') this.options.models.onProgress(progress);
    this.visit.patch(photoId, { grading: { stage: gradingStageText(progress) } });
  }
}
