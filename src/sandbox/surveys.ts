import { HttpError } from './http';

// Deterministic demo data: every known site has the same three surveys. Field names follow the
// shape third parties describe for Hotjar's survey API; the content is invented.

export const MAX_PAGE_LIMIT = 100;

interface DemoQuestion {
  id: number;
  type: 'net_promoter_score' | 'single_close_ended' | 'long_text' | 'email';
  text: string;
  choices?: string[];
}

interface DemoSurvey {
  id: number;
  name: string;
  type: 'popover' | 'link' | 'fullscreen';
  is_enabled: boolean;
  created_time: string;
  questions: DemoQuestion[];
  responseCount: number;
}

const DEMO_SURVEYS: readonly DemoSurvey[] = [
  {
    id: 501,
    name: 'How likely are you to recommend us?',
    type: 'popover',
    is_enabled: true,
    created_time: '2024-03-04T09:15:00Z',
    questions: [
      { id: 5011, type: 'net_promoter_score', text: 'How likely are you to recommend us to a friend?' },
      { id: 5012, type: 'long_text', text: 'What is the main reason for your score?' },
    ],
    responseCount: 130,
  },
  {
    id: 502,
    name: 'Exit intent: why are you leaving?',
    type: 'popover',
    is_enabled: true,
    created_time: '2024-05-20T14:00:00Z',
    questions: [
      { id: 5021, type: 'single_close_ended', text: 'What stopped you today?', choices: ['Price', 'Missing feature', 'Just browsing', 'Other'] },
      { id: 5022, type: 'email', text: 'May we follow up? Leave your email.' },
    ],
    responseCount: 12,
  },
  {
    id: 503,
    name: 'Onboarding feedback (draft)',
    type: 'link',
    is_enabled: false,
    created_time: '2024-09-01T08:00:00Z',
    questions: [{ id: 5031, type: 'long_text', text: 'What was hardest while getting started?' }],
    responseCount: 0,
  },
];

const COMMENTS = ['Fast and simple.', 'Pricing page was confusing.', 'Love the heatmaps.', 'Search could be better.', 'Support answered in minutes.'];
const DEVICES = ['desktop', 'mobile', 'tablet'];
const COUNTRIES = ['DE', 'FR', 'GB', 'MT', 'NL', 'US'];

export interface Page {
  results: unknown[];
  next_cursor: string | null;
}

export interface PageRequest {
  limit: number;
  offset: number;
}

/** Reads `limit` (1..100, default 100) and `cursor` from a query; a bad value is a 400. */
export function readPageRequest(query: URLSearchParams): PageRequest {
  const limitText = query.get('limit');
  let limit = MAX_PAGE_LIMIT;
  if (limitText !== null) {
    limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_PAGE_LIMIT) {
      throw new HttpError(400, 'invalid_parameter', `limit must be an integer from 1 to ${MAX_PAGE_LIMIT}`, { parameter: 'limit' });
    }
  }
  const cursor = query.get('cursor');
  return { limit, offset: cursor === null || cursor === '' ? 0 : decodeCursor(cursor) };
}

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^offset:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new HttpError(400, 'invalid_parameter', 'cursor is not one this API returned', { parameter: 'cursor' });
  return Number(match[1]);
}

function pageOf(total: number, request: PageRequest, itemAt: (index: number) => unknown): Page {
  const end = Math.min(total, request.offset + request.limit);
  const results: unknown[] = [];
  for (let index = request.offset; index < end; index += 1) results.push(itemAt(index));
  return { results, next_cursor: end < total ? encodeCursor(end) : null };
}

function publicSurvey(survey: DemoSurvey, withQuestions: boolean): Record<string, unknown> {
  const { responseCount, questions, ...fields } = survey;
  return { ...fields, response_count: responseCount, ...(withQuestions ? { questions } : {}) };
}

function findSurvey(surveyId: string): DemoSurvey {
  const survey = DEMO_SURVEYS.find((candidate) => String(candidate.id) === surveyId);
  if (!survey) throw new HttpError(404, 'not_found', `Survey ${surveyId} not found`);
  return survey;
}

export function listSurveys(query: URLSearchParams): Page {
  const withQuestionsText = query.get('with_questions');
  if (withQuestionsText !== null && withQuestionsText !== 'true' && withQuestionsText !== 'false') {
    throw new HttpError(400, 'invalid_parameter', 'with_questions must be true or false', { parameter: 'with_questions' });
  }
  const withQuestions = withQuestionsText === 'true';
  return pageOf(DEMO_SURVEYS.length, readPageRequest(query), (index) => publicSurvey(DEMO_SURVEYS[index], withQuestions));
}

export function getSurvey(surveyId: string): Record<string, unknown> {
  return publicSurvey(findSurvey(surveyId), true);
}

export function listResponses(surveyId: string, query: URLSearchParams): Page {
  const survey = findSurvey(surveyId);
  return pageOf(survey.responseCount, readPageRequest(query), (index) => demoResponse(survey, index));
}

function demoResponse(survey: DemoSurvey, index: number): Record<string, unknown> {
  const createdTime = new Date(Date.parse(survey.created_time) + (index + 1) * 3_600_000).toISOString();
  const answers = survey.questions.map((question) => ({ question_id: question.id, answer: demoAnswer(question, index) }));
  return {
    id: survey.id * 10_000 + index + 1,
    created_time: createdTime,
    is_complete: index % 7 !== 3,
    device: DEVICES[index % DEVICES.length],
    country: COUNTRIES[index % COUNTRIES.length],
    answers,
  };
}

function demoAnswer(question: DemoQuestion, index: number): string | number {
  switch (question.type) {
    case 'net_promoter_score':
      return (index * 7) % 11;
    case 'single_close_ended':
      return question.choices?.[index % question.choices.length] ?? '';
    case 'email':
      return `respondent${index + 1}@example.com`;
    case 'long_text':
      return COMMENTS[index % COMMENTS.length];
  }
}
