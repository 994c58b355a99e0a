// Where the outside data lives: ../shared/data beside the project, in development and in CI.
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

export const sharedData = join(packageRoot, '..', 'shared', 'data');
export const oroDemoDir = join(sharedData, 'orocommerce-demo');
export const oroFixturesDir = join(sharedData, 'orocommerce-api-fixtures');
export const lightspeedCassettesDir = join(sharedData, 'lightspeed-rseries-vcr');
export const onlineRetailDir = join(sharedData, 'uci-online-retail');
