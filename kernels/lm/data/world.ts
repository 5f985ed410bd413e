/**
 * The small world the tiny language model knows: countries and capitals, animals, the colours of
 * things, small sums, and the people of its stories. The pretraining corpus (corpus.ts) states
 * these facts in prose and plain Q/A; the fine-tuning tasks (sft-tasks.ts) ask about them in a
 * chat template. Everything is ASCII, so every character is a token of the model's vocabulary.
 *
 * `FICTIONAL_CAPITALS` are facts the pretraining corpus never contains: the "new facts" task
 * teaches them, and the held-out loss on them measures knowledge that fine-tuning added.
 */
export const CAPITALS: readonly (readonly [country: string, capital: string])[] = [
  ['France', 'Paris'],
  ['Italy', 'Rome'],
  ['Spain', 'Madrid'],
  ['Norway', 'Oslo'],
  ['Sweden', 'Stockholm'],
  ['Finland', 'Helsinki'],
  ['Poland', 'Warsaw'],
  ['Greece', 'Athens'],
  ['Egypt', 'Cairo'],
  ['Kenya', 'Nairobi'],
  ['Peru', 'Lima'],
  ['Chile', 'Santiago'],
  ['Japan', 'Tokyo'],
  ['China', 'Beijing'],
  ['India', 'Delhi'],
  ['Canada', 'Ottawa'],
  ['Mexico', 'Mexico City'],
  ['Brazil', 'Brasilia'],
  ['Ireland', 'Dublin'],
  ['Portugal', 'Lisbon'],
  ['Austria', 'Vienna'],
  ['Hungary', 'Budapest'],
  ['Cuba', 'Havana'],
  ['Iran', 'Tehran'],
  ['Thailand', 'Bangkok'],
  ['Vietnam', 'Hanoi'],
  ['Ghana', 'Accra'],
  ['Nepal', 'Kathmandu'],
  ['Denmark', 'Copenhagen'],
  ['Germany', 'Berlin'],
];

/** Invented countries, absent from pretraining: what the "new facts" task teaches. */
export const FICTIONAL_CAPITALS: readonly (readonly [country: string, capital: string])[] = [
  ['Zembla', 'Vorn'],
  ['Quorvia', 'Tillan'],
  ['Marrowand', 'Hesk'],
  ['Ostravel', 'Pindle'],
  ['Kessaly', 'Dromm'],
  ['Vantoria', 'Lusk'],
  ['Brellin', 'Casper Bay'],
  ['Utharo', 'Noma'],
  ['Fennwick', 'Alder'],
  ['Solvara', 'Reth'],
  ['Dunmere', 'Ossa'],
  ['Carrowen', 'Tibb'],
];

export interface Animal {
  name: string;
  plural: string;
  sound: string;
  legs: number;
  food: string;
  home: string;
}

export const ANIMALS: readonly Animal[] = [
  { name: 'cat', plural: 'cats', sound: 'meow', legs: 4, food: 'fish', home: 'house' },
  { name: 'dog', plural: 'dogs', sound: 'woof', legs: 4, food: 'meat', home: 'house' },
  { name: 'cow', plural: 'cows', sound: 'moo', legs: 4, food: 'grass', home: 'farm' },
  { name: 'duck', plural: 'ducks', sound: 'quack', legs: 2, food: 'bread', home: 'pond' },
  { name: 'sheep', plural: 'sheep', sound: 'baa', legs: 4, food: 'grass', home: 'field' },
  { name: 'horse', plural: 'horses', sound: 'neigh', legs: 4, food: 'hay', home: 'stable' },
  { name: 'frog', plural: 'frogs', sound: 'ribbit', legs: 4, food: 'flies', home: 'pond' },
  { name: 'owl', plural: 'owls', sound: 'hoot', legs: 2, food: 'mice', home: 'tree' },
  { name: 'pig', plural: 'pigs', sound: 'oink', legs: 4, food: 'corn', home: 'farm' },
  { name: 'bee', plural: 'bees', sound: 'buzz', legs: 6, food: 'nectar', home: 'hive' },
  { name: 'lion', plural: 'lions', sound: 'roar', legs: 4, food: 'meat', home: 'savanna' },
  { name: 'hen', plural: 'hens', sound: 'cluck', legs: 2, food: 'seeds', home: 'farm' },
];

export const COLOURS_OF_THINGS: readonly (readonly [thing: string, colour: string])[] = [
  ['the sky', 'blue'],
  ['grass', 'green'],
  ['snow', 'white'],
  ['the sun', 'yellow'],
  ['coal', 'black'],
  ['a ripe tomato', 'red'],
  ['a banana', 'yellow'],
  ['an orange', 'orange'],
  ['a lemon', 'yellow'],
  ['the sea', 'blue'],
  ['a leaf', 'green'],
  ['milk', 'white'],
  ['a plum', 'purple'],
  ['chocolate', 'brown'],
];

export const NAMES: readonly (readonly [name: string, pronoun: 'he' | 'she'])[] = [
  ['Mia', 'she'],
  ['Tom', 'he'],
  ['Ana', 'she'],
  ['Leo', 'he'],
  ['Sara', 'she'],
  ['Ben', 'he'],
  ['Lily', 'she'],
  ['Max', 'he'],
  ['Emma', 'she'],
  ['Sam', 'he'],
  ['Zoe', 'she'],
  ['Jack', 'he'],
  ['Nora', 'she'],
  ['Omar', 'he'],
  ['Ivy', 'she'],
  ['Finn', 'he'],
];

export const OBJECTS: readonly string[] = ['ball', 'kite', 'book', 'hat', 'box', 'cup', 'shell', 'key', 'coin', 'map', 'boat', 'drum'];
export const STORY_COLOURS: readonly string[] = ['red', 'blue', 'green', 'yellow', 'small', 'big', 'old', 'new', 'shiny'];
export const PLACES: readonly string[] = ['park', 'river', 'garden', 'beach', 'forest', 'market', 'school', 'hill', 'lake', 'town square'];
export const FEELINGS: readonly string[] = ['happy', 'glad', 'proud', 'tired', 'surprised', 'calm'];

/** The numbers the sums use: operands 0 to MAX_OPERAND. */
export const MAX_OPERAND = 12;

export const NUMBER_WORDS: readonly string[] = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
];
